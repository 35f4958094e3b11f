"""Small builders for test data: each makes a valid object and takes overrides."""
import datetime
import itertools

from django.contrib.auth import get_user_model

from ambassadors.models import Ambassador
from cases.models import Case, ProgressEntry
from programmes.models import Collectivite, Lab, LabMembership, Programme
from sessions.models import AgendaItem, Session

_numbers = itertools.count(1)


def make_user(**overrides):
    number = next(_numbers)
    email = overrides.pop("email", f"personne{number}@test.transfo.example")
    password = overrides.pop("password", "mot-de-passe-de-test")
    defaults = {"username": email, "email": email, "first_name": "Camille", "last_name": f"Test{number}"}
    user = get_user_model().objects.create_user(password=password, **{**defaults, **overrides})
    return user


def make_programme(**overrides):
    number = next(_numbers)
    defaults = {
        "name": f"Programme {number}",
        "slug": f"programme-{number}",
        "organiser": "La 27e Région",
        "start_date": datetime.date(2016, 1, 1),
        "end_date": datetime.date(2020, 12, 31),
    }
    return Programme.objects.create(**{**defaults, **overrides})


def make_collectivite(**overrides):
    number = next(_numbers)
    defaults = {"name": f"Ville {number}", "slug": f"ville-{number}", "kind": "ville", "departement": "68"}
    return Collectivite.objects.create(**{**defaults, **overrides})


def make_lab(**overrides):
    number = next(_numbers)
    defaults = {
        "name": f"La Transfo n°{number}",
        "slug": f"labo-{number}",
        "start_date": datetime.date(2016, 6, 1),
        "end_date": datetime.date(2017, 11, 30),
    }
    values = {**defaults, **overrides}
    # Made only when not given: each programme gets its own place in Wagtail (docs.rights).
    if "programme" not in values:
        values["programme"] = make_programme()
    if "collectivite" not in values:
        values["collectivite"] = make_collectivite()
    return Lab.objects.create(**values)


def make_resident(lab, **overrides):
    user = overrides.pop("user", None) or make_user()
    return LabMembership.objects.create(lab=lab, user=user, role=LabMembership.Role.RESIDENT, **overrides)


def make_ambassador(lab=None, **overrides):
    number = next(_numbers)
    defaults = {
        "first_name": "Alex",
        "last_name": f"Agent{number}",
        "email": f"agent{number}@test.transfo.example",
        "metier": "Bibliothécaire",
        "direction": "Direction de la culture",
    }
    return Ambassador.objects.create(lab=lab or make_lab(), **{**defaults, **overrides})


def make_session(lab=None, **overrides):
    lab = lab or make_lab()
    start = overrides.pop("start_date", lab.start_date + datetime.timedelta(days=14))
    defaults = {"number": next(_numbers), "start_date": start, "end_date": start + datetime.timedelta(days=1)}
    return Session.objects.create(lab=lab, **{**defaults, **overrides})


def make_agenda_item(session, **overrides):
    defaults = {
        "day": session.start_date,
        "start_time": datetime.time(9, 30),
        "end_time": datetime.time(11, 0),
        "title": "Atelier",
    }
    return AgendaItem.objects.create(session=session, **{**defaults, **overrides})


def make_case(lab=None, **overrides):
    number = next(_numbers)
    defaults = {"title": f"Cas {number}", "slug": f"cas-{number}", "problem_statement": "Un vrai problème."}
    return Case.objects.create(lab=lab or make_lab(), **{**defaults, **overrides})


def make_entry(case=None, *, session=None, **overrides):
    defaults = {"done": "Nous avons rencontré les usagers."}
    entry = ProgressEntry.objects.create(case=case or make_case(), **{**defaults, **overrides})
    entry.set_session(session, new=True)
    return entry


def make_gathering(programme=None, **overrides):
    """An InterTransfo of ``programme`` (a new one by default), numbered after the last."""
    from sessions.models import Gathering

    programme = programme or make_programme()
    start = overrides.pop("start_date", programme.start_date + datetime.timedelta(days=200))
    defaults = {
        "number": (Gathering.objects.filter(programme=programme).count() + 1),
        "start_date": start,
        "end_date": start + datetime.timedelta(days=1),
    }
    return Gathering.objects.create(programme=programme, **{**defaults, **overrides})


def make_gathering_item(gathering, **overrides):
    """A block of an InterTransfo's agenda, on its first day by default."""
    defaults = {
        "day": gathering.start_date,
        "start_time": datetime.time(9, 30),
        "end_time": datetime.time(11, 0),
        "title": "Plénière",
    }
    return AgendaItem.objects.create(gathering=gathering, **{**defaults, **overrides})
