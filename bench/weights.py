"""What a phone downloads to show the ambassador's pages: HTML, CSS and JS, bytes on the wire.

A page is fetched with its session cookie, then every stylesheet (``<link rel="stylesheet">``)
and script (``<script src>``) it names, each once, with ``Accept-Encoding: gzip`` as a browser
asks: in production WhiteNoise answers with the compressed copy collectstatic wrote, so the
bodies counted are what travels. Response headers are left out (a few hundred bytes each), and
so are photos, which the limit leaves apart.

The fetching is a function given by the caller, ``get(path, headers) -> (status, headers,
body)``: bench.run passes a raw HTTP request to its gunicorn, the tests Django's test client.
"""
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from bench.pages import AUTHENTICATED, BenchPage

# The limit for each page, HTML + CSS + JS transferred (photos apart).
MAX_PAGE_BYTES = 100_000

# The pages an ambassador opens on a phone, read with the ambassador persona's session.
WEIGHT_PAGES = [
    BenchPage("my_cases", "Mes cas", AUTHENTICATED, "ambassador", names=("my_cases:my_cases",)),
    BenchPage(
        "case", "Page d'un cas", AUTHENTICATED, "ambassador", names=("cases:case_detail",),
        kwargs=(("lab_slug", "lab"), ("slug", "case")),
    ),
    BenchPage(
        "entry_form", "Formulaire d'entrée du journal", AUTHENTICATED, "ambassador", names=("cases:entry_create",),
        kwargs=(("lab_slug", "lab"), ("slug", "case")),
    ),
]


class _Assets(HTMLParser):
    """The stylesheets and scripts a page names, in document order."""

    def __init__(self):
        super().__init__()
        self.found = []  # (kind, href)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "link" and "stylesheet" in (attributes.get("rel") or "").lower().split() and attributes.get("href"):
            self.found.append(("css", attributes["href"]))
        elif tag == "script" and attributes.get("src"):
            self.found.append(("js", attributes["src"]))


def assets_of(html: str, page_path: str) -> list[tuple[str, str]]:
    """``[(kind, path)]`` of the page's own stylesheets and scripts; another site's are skipped."""
    parser = _Assets()
    parser.feed(html)
    assets, seen = [], set()
    for kind, href in parser.found:
        parts = urlsplit(urljoin(page_path, href))
        if parts.scheme not in ("", "http", "https") or parts.netloc:
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path not in seen:
            seen.add(path)
            assets.append((kind, path))
    return assets


def page_weight(get, path: str, cookie: str | None = None) -> dict:
    """Bytes of ``path``'s HTML, CSS and JS as transferred; ``files`` lists each with its size.

    A page or file that does not answer 200 is named in ``errors`` rather than counted as 0.
    """
    headers = {"Accept-Encoding": "gzip"}
    if cookie:
        headers["Cookie"] = cookie
    status, page_headers, body = get(path, headers)
    weight = {"html": 0, "css": 0, "js": 0, "files": [], "errors": []}
    if status != 200:
        weight["errors"].append(f"{path}: {status}")
        weight["total"] = 0
        return weight
    weight["html"] = len(body)
    weight["files"].append({"path": path, "kind": "html", "bytes": len(body), "encoding": _encoding(page_headers)})
    html = _decoded(body, page_headers).decode("utf-8", "replace")
    for kind, asset in assets_of(html, path):
        # Static files need no session; a browser sends it anyway, and it changes nothing here.
        status, asset_headers, asset_body = get(asset, headers)
        if status != 200:
            weight["errors"].append(f"{asset}: {status}")
            continue
        weight[kind] += len(asset_body)
        weight["files"].append({"path": asset, "kind": kind, "bytes": len(asset_body), "encoding": _encoding(asset_headers)})
    weight["total"] = weight["html"] + weight["css"] + weight["js"]
    return weight


def _encoding(headers) -> str:
    return (headers.get("Content-Encoding") or "").lower() or "identity"


def _decoded(body: bytes, headers) -> bytes:
    if _encoding(headers) == "gzip":
        import gzip

        return gzip.decompress(body)
    return body


def weight_urls(targets: dict) -> dict:
    """The address of each page of WEIGHT_PAGES (None when absent); needs Django set up."""
    from bench.pages import locate

    return {page.key: locate(page, targets) for page in WEIGHT_PAGES}


def measure_weights(get, urls: dict, cookie: str) -> dict:
    """Every page of WEIGHT_PAGES weighed at its address of ``urls`` (``weight_urls``), with the limit."""
    weights = {}
    for page in WEIGHT_PAGES:
        url = urls.get(page.key)
        if url is None:
            weights[page.key] = {"label": page.label, "url": None, "errors": ["absent"], "total": 0}
            continue
        weights[page.key] = {"label": page.label, "url": url, **page_weight(get, url, cookie)}
    return {"limit": MAX_PAGE_BYTES, "role": "ambassador", "pages": weights}


def weight_misses(scale: str, weights: dict) -> list[dict]:
    """The pages over the limit, or that could not be weighed, as bench.run.check_targets lists them."""
    misses = []
    for key, page in weights["pages"].items():
        if page.get("errors"):
            misses.append({"scale": scale, "page": key, "target": "poids mesurable", "value": ", ".join(page["errors"])})
        elif page["total"] > weights["limit"]:
            misses.append({
                "scale": scale, "page": key, "target": f"HTML + CSS + JS ≤ {weights['limit'] / 1000:.0f} ko",
                "value": f"{page['total'] / 1000:.1f} ko",
            })
    return misses


def format_weights(weights: dict) -> str:
    """The printed lines: each page's bytes by kind, the total, the limit."""
    limit = weights["limit"]
    lines = [
        f"Poids transféré (HTML + CSS + JS, gzip, photos à part), {weights['role']} — limite {limit / 1000:.0f} ko",
        f"{'page':<34} {'HTML':>8} {'CSS':>8} {'JS':>8} {'total':>8}",
    ]
    for key, page in weights["pages"].items():
        if page.get("errors"):
            lines.append(f"{key:<34} non mesurée : {', '.join(page['errors'])}")
            continue
        verdict = "ok" if page["total"] <= limit else "TROP LOURD"
        lines.append(
            f"{key:<34} {page['html'] / 1000:>7.1f}k {page['css'] / 1000:>7.1f}k {page['js'] / 1000:>7.1f}k "
            f"{page['total'] / 1000:>7.1f}k  {verdict}"
        )
    return "\n".join(lines)


def format_weights_markdown(weights: dict) -> list[str]:
    limit = weights["limit"]
    lines = [
        f"Transferred weight ({weights['role']}; HTML + CSS + JS, gzip, photos apart; limit {limit / 1000:.0f} kB):",
        "",
        "| Page | HTML kB | CSS kB | JS kB | total kB | ≤ limit |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for key, page in weights["pages"].items():
        if page.get("errors"):
            lines.append(f"| {key} | | | | | not measured: {', '.join(page['errors'])} |")
            continue
        lines.append(
            f"| {key} | {page['html'] / 1000:.1f} | {page['css'] / 1000:.1f} | {page['js'] / 1000:.1f} | "
            f"{page['total'] / 1000:.1f} | {'yes' if page['total'] <= limit else 'no'} |"
        )
    return lines
