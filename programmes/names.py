"""How a person is named on a page read from outside their Lab (DESIGN.md §2).

The form itself, used by every such page: ``ambassadors.public_names`` applies it to free text.
"""


def public_form(first_name, last_name, *, consent, role):
    """In full with their consent, else their first name and their trade or role: « Sacha (Jardinier) »."""
    first_name, last_name = (first_name or "").strip(), (last_name or "").strip()
    if consent:
        return f"{first_name} {last_name}".strip()
    return f"{first_name} ({role})" if first_name and role else first_name or str(role or "")
