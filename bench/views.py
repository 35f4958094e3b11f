"""The benchmark's yardsticks, routed only when settings.BENCHMARK_VIEWS is on (bench.urls).

Every page's throughput is given as a ratio to ``floor`` measured in the same run, so the
figures hold on a noisy machine; ``authenticated_only`` shows what authentication alone costs.
"""
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


def floor(request):
    """The least a request through the whole middleware stack and gunicorn can cost."""
    return HttpResponse(b"ok", content_type="text/plain")


@login_required
def authenticated_only(request):
    """The floor plus loading the session and the user."""
    return HttpResponse(b"ok", content_type="text/plain")
