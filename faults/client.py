"""A browser-like HTTP client and a bounded load loop, on loopback only.

Each request goes through a fresh connection with the headers our reverse proxy adds (HTTPS,
the client's address), so production settings apply unchanged. Results are recorded with the
phase of the fault they happened in, for the test to count and judge.
"""
import http.client
import itertools
import secrets
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

NETWORK_ERRORS = (OSError, http.client.HTTPException)


@dataclass
class Response:
    status: int  # 0: no HTTP answer at all (refused, reset, timed out)
    headers: dict
    body: str
    elapsed: float
    error: str = ""

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


class _FormParser(HTMLParser):
    """Every form of a page with the values a browser would submit as they are."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = None
        self._select = None
        self._option = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"action": attrs.get("action") or "", "method": (attrs.get("method") or "get").lower(),
                          "fields": [], "names": set()}
            self.forms.append(self._form)
        if self._form is None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            self._form["names"].add(name)
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            self._form["fields"].append((name, attrs.get("value", "on" if kind in ("checkbox", "radio") else "")))
        elif tag == "textarea" and name:
            self._form["names"].add(name)
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._form["names"].add(name)
            self._select = {"name": name, "first": None, "chosen": [], "multiple": "multiple" in attrs}
        elif tag == "option" and self._select is not None:
            self._option = {"value": attrs.get("value"), "text": "", "selected": "selected" in attrs}

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data
        if self._option is not None:
            self._option["text"] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            value = self._textarea[1]
            self._form["fields"].append((self._textarea[0], value[1:] if value.startswith("\n") else value))
            self._textarea = None
        elif tag == "option" and self._option is not None:
            self._close_option()
        elif tag == "select" and self._select is not None:
            self._close_option()
            select = self._select
            chosen = select["chosen"] or ([] if select["multiple"] or select["first"] is None else [select["first"]])
            self._form["fields"].extend((select["name"], value) for value in chosen)
            self._select = None
        elif tag == "form":
            self._form = None

    def _close_option(self):
        option, self._option = self._option, None
        if option is None or self._select is None:
            return
        value = option["value"] if option["value"] is not None else option["text"].strip()
        if self._select["first"] is None:
            self._select["first"] = value
        if option["selected"]:
            self._select["chosen"].append(value)


def forms_of(html: str) -> list[dict]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def form_with(html: str, field_name: str) -> dict | None:
    """The first form of the page that has a field of that name."""
    return next((form for form in forms_of(html) if field_name in form["names"]), None)


def _multipart(fields, files):
    boundary = "----faults" + secrets.token_hex(12)
    parts = []
    for name, value in fields:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + str(value).encode() + b"\r\n"
        )
    for name, filename, content, content_type in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n".encode() + content + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


_addresses = itertools.count(1)


class Browser:
    """One person's browser: its own cookies and its own address (as the proxy reports it)."""

    def __init__(self, port: int, *, timeout: float = 30.0):
        self.port = port
        self.timeout = timeout
        self.cookies = {}
        number = next(_addresses)
        self.address = f"10.77.{number // 250}.{number % 250 + 1}"

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def request(self, method: str, path: str, *, body: bytes | None = None, content_type: str | None = None) -> Response:
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.address,
            "Accept-Language": "fr",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if method == "POST":
            headers["Origin"] = self.origin
            headers["Referer"] = self.origin + path
            headers["Content-Type"] = content_type or "application/x-www-form-urlencoded"
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            text = answer.read().decode("utf-8", "replace")
            received = {}
            for name, value in answer.getheaders():
                if name.lower() == "set-cookie":
                    self._keep_cookie(value)
                received[name.lower()] = value
            return Response(answer.status, received, text, time.monotonic() - started)
        except NETWORK_ERRORS as error:
            return Response(0, {}, "", time.monotonic() - started, f"{type(error).__name__}: {error}")
        finally:
            connection.close()

    def _keep_cookie(self, header: str):
        name, _, rest = header.partition("=")
        value = rest.split(";", 1)[0]
        if "max-age=0" in header.lower() or value in ("", '""'):
            self.cookies.pop(name.strip(), None)
        else:
            self.cookies[name.strip()] = value

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def submit(self, page_path: str, form: dict, changes: dict | None = None, files=None) -> Response:
        """Post a parsed form as a browser would, with some fields changed."""
        changes = dict(changes or {})
        fields = [(name, value) for name, value in form["fields"] if name not in changes]
        for name, value in changes.items():
            values = value if isinstance(value, list) else [value]
            fields.extend((name, each) for each in values)
        target = form["action"] or page_path
        target = urlsplit(target).path or page_path
        if files:
            body, content_type = _multipart(fields, files)
        else:
            body, content_type = urlencode(fields).encode(), None
        return self.request("POST", target, body=body, content_type=content_type)

    def login(self, email: str, password: str) -> Response:
        page = self.get("/accounts/login/")
        form = form_with(page.body, "login") if page.status == 200 else None
        if form is None:
            return page
        return self.submit("/accounts/login/", form, {"login": email, "password": password})


@dataclass
class Record:
    phase: str
    client: int
    action: str
    status: int
    elapsed: float
    ok: bool
    note: str = ""


@dataclass
class Recorder:
    """What every client did, with the phase of the fault it happened in."""

    phase: str = "before"
    records: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, client, action, response: Response, *, ok: bool, note=""):
        with self.lock:
            self.records.append(
                Record(self.phase, client, action, response.status, response.elapsed, ok, note or response.error)
            )

    def select(self, *, phase=None, action=None, client=None):
        with self.lock:
            return [
                record for record in self.records
                if (phase is None or record.phase == phase)
                and (action is None or record.action == action)
                and (client is None or record.client == client)
            ]

    def summary(self) -> str:
        """One line per phase: requests, answers by status class, failures."""
        lines = []
        phases = list(dict.fromkeys(record.phase for record in self.records))
        for phase in phases:
            records = self.select(phase=phase)
            by_class = {}
            for record in records:
                key = "no answer" if record.status == 0 else f"{record.status // 100}xx"
                by_class[key] = by_class.get(key, 0) + 1
            failed = sum(not record.ok for record in records)
            classes = ", ".join(f"{key}: {count}" for key, count in sorted(by_class.items()))
            lines.append(f"  {phase:<10} {len(records):>4} requests ({classes}); not as expected: {failed}")
        return "\n".join(lines)


def run_clients(count: int, body, *, stop: threading.Event, max_iterations: int = 1000) -> list[threading.Thread]:
    """Start ``count`` threads, each calling ``body(number, iteration)`` until ``stop`` is set.

    Bounded: each thread stops after ``max_iterations`` whatever happens.
    """
    def loop(number):
        for iteration in range(max_iterations):
            if stop.is_set():
                return
            body(number, iteration)

    threads = [threading.Thread(target=loop, args=(number,), daemon=True) for number in range(count)]
    for thread in threads:
        thread.start()
    return threads
