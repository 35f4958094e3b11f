"""View helpers shared by the apps' pages: who may open a page is declared, and decided here."""
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404

from .audit import log_refused_access
from .permissions import has_permission


class PermissionRequiredMixin:
    """A page declares the permission it needs on the object of its URL; this decides.

    - ``permission_required``: the permission's name (``common.permissions``), asked about the
      object ``get_permission_object()`` finds (a Lab, a session, a case…, or None for pages of
      one's own).
    - ``visibility_required``: optional, a permission that says who may *see* the object. Whoever
      may not gets a 404, as for an object that does not exist; whoever may see it but lacks
      ``permission_required`` gets a 403. Without it, every refusal is a 404.
    - ``login_required``: an anonymous visitor is sent to the login before anything (whether the
      object exists or not), since they may be allowed once logged in. Pages that anonymous
      visitors may read (public items) set it to False; ``login_when_refused`` then says whether
      a refused visitor is sent to the login (True) or gets the 404 (False).

    Every refusal is audited with the permission's name as its reason: the 404s here, the 403s
    by the audit middleware, which records every PermissionDenied.
    """

    permission_required = None
    visibility_required = None
    login_required = True
    login_when_refused = True

    def get_permission_object(self):
        """The object the permission is about (None for pages of one's own); raise Http404 when
        the URL names one that does not exist."""

    def resolve(self, **kwargs):
        """Look up what else the URL names, once the permission is granted."""

    def dispatch(self, request, *args, **kwargs):
        if not self.permission_required:
            raise ImproperlyConfigured(f"{type(self).__name__} names no permission_required.")
        user = request.user
        if self.login_required and not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            obj = self.get_permission_object()
        except Http404:
            return self.refuse(hide=True)
        self.permission_object = obj
        if self.visibility_required and not has_permission(self.visibility_required, user, obj):
            return self.refuse(hide=True)
        if not has_permission(self.permission_required, user, obj):
            return self.refuse(hide=self.visibility_required is None)
        self.resolve(**kwargs)
        return super().dispatch(request, *args, **kwargs)

    def refuse(self, *, hide):
        request = self.request
        if not request.user.is_authenticated and self.login_when_refused:
            return redirect_to_login(request.get_full_path())
        if not hide:
            raise PermissionDenied(self.permission_required)  # audited by common.audit.AuditMiddleware
        log_refused_access(request, self.permission_required)
        raise Http404


class VisibleItemMixin(PermissionRequiredMixin):
    """Open one Lab item only if ``get_visible_queryset(user)`` lists it and the user holds
    ``permission_required`` on it.

    Someone who may not read it gets a 404, exactly as for an item that does not exist. Anonymous
    visitors may read public items, so they are let in before the item is looked up; one who is
    refused (whether the item exists or not) is sent to the login, since they may be allowed
    once logged in. The item found is the view's ``get_object()``.

    A query that reads its reader's roles with the item (``programmes.rules.with_reader_roles``)
    lets the predicates answer from them, rather than asking the rules' subqueries a second time.
    """

    login_required = False

    def get_permission_object(self):
        item = self.get_visible_queryset(self.request.user).filter(**self.get_lookup()).first()
        if item is None:
            raise Http404
        return item

    def get_object(self, queryset=None):
        return self.permission_object

    def get(self, request, *args, **kwargs):
        # What the item's page then fails to find (a photo of it, say) is hidden from a visitor
        # the same way: they may be allowed once logged in.
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise

    def get_visible_queryset(self, user):
        raise NotImplementedError

    def get_lookup(self):
        raise NotImplementedError
