"""The Content-Security-Policy of every page, and the one allowance Wagtail's editor needs.

The policy itself is ``CONTENT_SECURITY_POLICY`` in the settings: scripts and styles only from
our own origin, so that text injected into a page cannot run script there. This middleware adds
the header to every answer (public pages, the platform's own pages, both admins, error pages);
a view that already set its own policy (Wagtail's document downloads) keeps it.
"""
from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware

# Wagtail's page editor still writes inline <script> elements (the date pickers of the publishing
# schedule, inline panels, multiple choosers: wagtail issue #1288, still open in Wagtail 8) and
# sets style attributes from its scripts. Those widgets are rendered without the request, so they
# cannot carry a nonce. Only Wagtail's admin, open to those who edit the documentation, gets
# 'unsafe-inline'; every other page, the Django admin included (it needs nothing inline:
# tests/browser/test_content_security_policy.py), stays strict.
WAGTAIL_ADMIN_PREFIX = "/cms/"
# blob: for the previews of images chosen for upload, which Wagtail's uploader draws from the file.
WAGTAIL_ADMIN_ALLOWANCES = {"script-src": [UNSAFE_INLINE], "style-src": [UNSAFE_INLINE], "img-src": ["blob:"]}


class PlatformCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the Wagtail admin's allowance added under its path."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and parts.update is None and request.path_info.startswith(WAGTAIL_ADMIN_PREFIX):
            parts.update = WAGTAIL_ADMIN_ALLOWANCES
        return parts
