"""View helpers shared by the apps' pages."""
from django.contrib.auth.views import redirect_to_login
from django.http import Http404


class VisibleItemMixin:
    """Open one Lab item only if ``visible_to(user)`` lists it.

    Someone who may not read it gets a 404, exactly as for an item that does not exist; an
    anonymous visitor is sent to the login first (whether the item exists or not), since they
    may be allowed once logged in.
    """

    def get_object(self, queryset=None):
        queryset = self.get_visible_queryset(self.request.user)
        item = queryset.filter(**self.get_lookup()).first()
        if item is None or not self.may_read(item):
            raise Http404
        return item

    def may_read(self, item):
        """A last word on the item found. A page that reads its reader's roles with the item
        (``programmes.rules.with_reader_roles``) decides here from them, rather than filtering its
        query by the rules' subqueries a second time (``can_read_item_with_roles``)."""
        return True

    def get(self, request, *args, **kwargs):
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
