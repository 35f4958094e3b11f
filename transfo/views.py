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
        if item is None:
            raise Http404
        return item

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
