"""Counts read with their row, for the pages that show or use how many related rows there are."""
from django.db.models import IntegerField
from django.db.models.expressions import RawSQL


def related_count(parent, child, column):
    """An annotation: how many ``child`` rows point (by ``column``) at each ``parent`` row.

    A subquery on ``column``'s index, in the parent's own query: no query of its own, and no join
    with a GROUP BY over every column of the parent.
    """
    table, parent_table = child._meta.db_table, parent._meta.db_table
    sql = f'SELECT COUNT(*) FROM "{table}" counted WHERE counted."{column}" = "{parent_table}"."{parent._meta.pk.column}"'
    return RawSQL(sql, (), output_field=IntegerField())
