"""A small SMTP server for the fault tests that records what it receives.

In "hang" mode it accepts connections and says nothing, as a mail server that is overloaded or
half dead; switched to "answer", it greets every connection still waiting and takes mail. "hold"
keeps the final "OK" of each message until released, to catch a sender in the middle of a send.
Only what
Django's SMTP backend uses is spoken: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
"""
import email
import email.policy
import socket
import socketserver
import threading


class _Handler(socketserver.StreamRequestHandler):
    timeout = 60

    def reply(self, line: str):
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self):
        sink = self.server.sink
        with sink.lock:
            sink.connections += 1
            sink.waiting += 1
        try:
            # Hanging: the client sees an open connection and no greeting, as long as we hang.
            while not sink.answering.wait(0.1):
                if sink.closing.is_set():
                    return
        finally:
            with sink.lock:
                sink.waiting -= 1
        try:
            self.converse(sink)
        except (OSError, ValueError):
            # The client gave up while we hung: nothing to record.
            return

    def converse(self, sink):
        self.reply("220 pannes.example ESMTP")
        sender, recipients = None, []
        while True:
            line = self.rfile.readline(65536)
            if not line:
                return
            command = line.decode("utf-8", "replace").strip()
            verb = command[:4].upper()
            if verb == "EHLO":
                self.reply("250-pannes.example")
                self.reply("250-8BITMIME")
                self.reply("250 SMTPUTF8")
            elif verb == "HELO":
                self.reply("250 pannes.example")
            elif verb == "MAIL":
                sender, recipients = command.split(":", 1)[1].strip(), []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip().strip("<>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = bytearray()
                while True:
                    chunk = self.rfile.readline(1 << 20)
                    if not chunk or chunk in (b".\r\n", b".\n"):
                        break
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                message = email.message_from_bytes(bytes(data), policy=email.policy.default)
                # A real server delivers what it received whole, even if its "OK" comes late.
                sink.record(sender, recipients, message)
                sink.wait_if_held()
                self.reply("250 OK queued")
            elif verb == "RSET":
                sender, recipients = None, []
                self.reply("250 OK")
            elif verb == "NOOP":
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class SmtpSink:
    def __init__(self, *, answering=True):
        self.lock = threading.Lock()
        self.messages = []
        self.connections = 0
        self.waiting = 0
        self.answering = threading.Event()
        self.closing = threading.Event()
        self.released = threading.Event()
        self.released.set()
        self.held = 0
        if answering:
            self.answering.set()
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.sink = self
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def hang(self):
        self.answering.clear()

    def answer(self):
        self.answering.set()

    def hold(self):
        """From now on, keep the "OK" after each message until release(): the sender is mid-send."""
        self.released.clear()

    def release(self):
        self.released.set()

    def wait_if_held(self):
        if self.released.is_set():
            return
        with self.lock:
            self.held += 1
        while not self.released.wait(0.1):
            if self.closing.is_set():
                return

    def record(self, sender, recipients, message):
        with self.lock:
            subject = " ".join(str(message["subject"]).split())
            self.messages.append({"from": sender, "to": recipients, "subject": subject, "message": message})

    def received(self) -> list[tuple[str, str]]:
        """(recipient, subject) of every message received, one per recipient."""
        with self.lock:
            return [(to, item["subject"]) for item in self.messages for to in item["to"]]

    def stop(self):
        self.closing.set()
        self.server.shutdown()
        self.server.server_close()


def probe(port: int) -> str:
    """The server's greeting, for a quick check by hand."""
    with socket.create_connection(("127.0.0.1", port), timeout=2) as connection:
        return connection.recv(200).decode()
