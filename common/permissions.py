"""The permission registry: a name (``sessions.plan_session``) for each thing a view guards, and
the predicate ``predicate(user, obj) -> bool`` that decides it.

Each app declares its predicates in its own ``rules.py`` and registers them there under its
names; its AppConfig imports that module in ``ready()``, so the registry is full before the first
request. A view names its permission (``common.views.PermissionRequiredMixin``); the permission
matrix test checks that every name a view declares is registered here.
"""
_PREDICATES = {}


def register(name, predicate):
    """Register ``predicate(user, obj)`` as ``name``; a name is registered once (a second,
    different predicate under the same name would make the rules depend on import order)."""
    known = _PREDICATES.get(name)
    if known is not None and known is not predicate:
        raise ValueError(f"Permission {name!r} is already registered.")
    _PREDICATES[name] = predicate


def is_registered(name) -> bool:
    return name in _PREDICATES


def has_permission(name, user, obj=None) -> bool:
    """Whether ``user`` holds the permission ``name`` on ``obj``; an unknown name is a bug, not a no."""
    return bool(_PREDICATES[name](user, obj))


def registered_names():
    return sorted(_PREDICATES)


def _logged_in(user, obj):
    return user.is_authenticated


# One's own pages (profile, My cases…): whoever is logged in.
register("common.logged_in", _logged_in)
