"""`python -m faults.seed`: the few rows every fault test starts from; prints them as JSON.

Run once into a template database (migrated beforehand); each test copies that database.
"""
import datetime
import json
import sys

import django

PASSWORD = "faults-mot-de-passe"
PEOPLE = 4
INVITED = 3


def seed() -> dict:
    from allauth.account.models import EmailAddress
    from django.utils import timezone

    from outbox.models import OutgoingMail
    from programmes.models import Visibility
    from sessions import services as session_services
    from sessions.models import Session
    from tests import factories

    lab = factories.make_lab(
        name="La Transfo des pannes", slug="labo-pannes",
        start_date=datetime.date(2020, 1, 1), end_date=datetime.date(2040, 12, 31),
    )
    emails = []
    for number in range(1, PEOPLE + 1):
        email = f"residente{number}@pannes.example"
        user = factories.make_user(email=email, password=PASSWORD)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        factories.make_resident(lab, user=user)
        emails.append(email)
    private_case = factories.make_case(lab, title="Cas du journal", slug="cas-journal", visibility=Visibility.LAB)
    public_case = factories.make_case(lab, title="Cas public", slug="cas-public", visibility=Visibility.PUBLIC)
    factories.make_entry(private_case, done="Première entrée du journal.")
    for number in range(INVITED):
        factories.make_ambassador(lab, email=f"ambassadeur{number}@pannes.example")
    # Far enough ahead that no reminder (a week or a day before) falls due during a run.
    start = timezone.localdate() + datetime.timedelta(days=40)
    session = factories.make_session(
        lab, number=1, start_date=start, place_name="Salle du conseil", visibility=Visibility.LAB
    )
    session_services.announce_session(session=session, base_url="http://127.0.0.1")
    # The seed's own invitations are not part of any test.
    OutgoingMail.objects.all().delete()
    return {
        "password": PASSWORD,
        "emails": emails,
        "lab": lab.slug,
        "case": private_case.slug,
        "public_case": public_case.slug,
        "session": Session.objects.get(pk=session.pk).number,
        "invited": INVITED,
    }


if __name__ == "__main__":
    django.setup()
    from django.db import transaction

    with transaction.atomic():
        data = seed()
    json.dump(data, sys.stdout)
