"""Cross-origin reads of the public API: any web page may read /api/v2/ (GET, HEAD, OPTIONS only).

The API answers everyone alike and reads no cookie nor authentication (docs.api), so allowing
every origin reveals nothing a visitor's browser could not fetch itself. Nothing else of the
site is shared, and no other method: a preflight for POST gets no permission.
"""
API_PREFIX = "/api/v2/"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
PREFLIGHT_MAX_AGE = 24 * 60 * 60


class PublicAPICorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(API_PREFIX) and request.method in SAFE_METHODS:
            response["Access-Control-Allow-Origin"] = "*"
            if request.method == "OPTIONS":
                response["Access-Control-Allow-Methods"] = ", ".join(SAFE_METHODS)
                response["Access-Control-Allow-Headers"] = "Accept, Accept-Language, If-None-Match, If-Modified-Since"
                response["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
        return response
