"""The active ambassadors of a Lab belong to it: the select programmes/rules.py unions with its members.

Registered in programmes.contributions by AmbassadorsConfig.ready(). Written as SQL, like the
other selects of the rules, because every page filters with it several times (see there).
"""
from django.db import connection

from programmes.contributions import LabMembers

from .models import Ambassador


def active_ambassador_labs_sql():
    """The Labs a person (``%s``: their id) is an active ambassador of (``%s``: True)."""
    quote = connection.ops.quote_name

    def column(name):
        return quote(Ambassador._meta.get_field(name).column)

    return (
        f"SELECT {column('lab')} FROM {quote(Ambassador._meta.db_table)} "
        f"WHERE {column('user')} = %s AND {column('is_active')} = %s"
    )


def active_ambassador_labs_params(user):
    return (user.pk, True)


ACTIVE_AMBASSADORS = LabMembers(sql=active_ambassador_labs_sql, params=active_ambassador_labs_params)
