"""A programme of two Labs (and a Lab of another programme) with a person of each role, for Mon espace."""
import datetime

from allauth.account.models import EmailAddress
from django.utils import timezone

from ambassadors.models import Ambassador
from ambassadors.services import invite_ambassador
from cases import services as case_services
from cases.models import Case, Stage
from programmes.models import Coordination, LabMembership
from sessions.gatherings import announce_gathering
from sessions.services import announce_session

from ..factories import make_ambassador, make_case, make_entry, make_gathering, make_lab, make_programme, make_session, make_user

PASSWORD = "un-mot-de-passe-solide"
BASE_URL = "http://testserver"


def person(email):
    user = make_user(email=email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def running_lab(programme, name):
    today = timezone.localdate()
    return make_lab(
        programme=programme, name=name, start_date=today - datetime.timedelta(days=200),
        end_date=today + datetime.timedelta(days=300),
    )


def build_world():
    today = timezone.localdate()
    programme = make_programme(
        name="La Transfo", start_date=today - datetime.timedelta(days=400), end_date=today + datetime.timedelta(days=400)
    )
    lab_a, lab_b = running_lab(programme, "Labo Alpha"), running_lab(programme, "Labo Bêta")
    lab_c = running_lab(make_programme(name="Autre programme"), "Labo Gamma")
    people = {
        role: person(f"{role}@espace.transfo.example")
        for role in ("resident", "host", "coordinator", "ambassador", "relais", "nobody", "ambassador_b", "resident_c")
    }
    LabMembership.objects.create(lab=lab_a, user=people["resident"], role=LabMembership.Role.RESIDENT)
    LabMembership.objects.create(lab=lab_a, user=people["host"], role=LabMembership.Role.HOST)
    LabMembership.objects.create(lab=lab_c, user=people["resident_c"], role=LabMembership.Role.RESIDENT)
    Coordination.objects.create(programme=programme, user=people["coordinator"])
    make_ambassador(lab_a, user=people["ambassador"], first_name="Ambre")
    make_ambassador(lab_a, user=people["relais"], circle=Ambassador.Circle.NETWORK, first_name="Rémi")
    make_ambassador(lab_b, user=people["ambassador_b"])

    # Lab A: a session to come (announced), one past without minutes nor attendance, cases.
    start = today + datetime.timedelta(days=7)
    upcoming = make_session(lab_a, number=3, title="Atelier usagers", start_date=start, end_date=start + datetime.timedelta(days=1), place_name="Médiathèque")
    announce_session(session=upcoming, base_url=BASE_URL)
    past_start = today - datetime.timedelta(days=30)
    make_session(lab_a, number=2, start_date=past_start, end_date=past_start, status="announced")
    case_a = make_case(lab_a, title="Accueil des usagers")
    case_a.team.add(people["ambassador"].ambassadorships.get(), people["relais"].ambassadorships.get())
    make_entry(case_a, author=people["resident"], done="Rencontre avec les agents d'accueil.")
    quiet = make_case(lab_a, title="Cas endormi")
    Case.objects.filter(pk=quiet.pk).update(created_at=timezone.now() - datetime.timedelta(days=60))
    case_services.propose_stage(
        case=case_a, to_stage=Stage.INQUIRY, note="", proposed_by=people["ambassador"], case_url=BASE_URL + "/",
    )
    invite_ambassador(
        lab=lab_a, first_name="Inès", last_name="Invitée", email="ines@ville.example", metier="Agente",
        direction="Culture", circle=Ambassador.Circle.AMBASSADOR, invited_by=people["resident"], base_url=BASE_URL,
    )

    # Lab B, same programme: nothing of it is shared; Lab C, another programme.
    case_b = make_case(lab_b, title="Secret du labo Bêta")
    case_b.team.add(people["ambassador_b"].ambassadorships.get())
    make_entry(case_b, author=people["resident"], done="Ne doit pas fuiter.")
    make_session(lab_b, number=7, title="Session Bêta", start_date=start, end_date=start)
    make_case(lab_c, title="Secret du labo Gamma")

    gathering = make_gathering(programme, title="Rencontre nationale", start_date=today + datetime.timedelta(days=20))
    announce_gathering(gathering=gathering, announced_by=people["coordinator"], base_url=BASE_URL)
    return {
        "programme": programme, "lab_a": lab_a, "lab_b": lab_b, "lab_c": lab_c, "people": people,
        "upcoming": upcoming, "case_a": case_a, "quiet": quiet, "case_b": case_b, "gathering": gathering,
    }
