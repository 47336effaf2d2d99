"""A small fake of Twilio's Messages API on 127.0.0.1, for the real twilio client.

Only the network edge is fake: the app's own code and the twilio library run as in
production. ``script`` holds answers for the next POSTs, e.g. ``[(500, None),
(400, 21610)]``; after it runs out every message is accepted (201). ``delay``
(seconds) slows every POST down, as a far-away Twilio would. ``hold`` keeps new
messages "queued" with no ``date_sent``, as Twilio does while a number's send rate
holds them back; the message list, like Twilio's, then leaves them out of a
``DateSent>`` search (they are only found by recipient and creation time).

Like Twilio it keeps connections open (HTTP/1.1 keep-alive) and has room for many
connections at once (a listen backlog of 5, socketserver's default, drops the SYN of
the 6th concurrent connect and the client waits a second to retry it).
"""

import contextlib
import json
import socket
import threading
import time
import uuid
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # listen backlog


class FakeTwilio:
    def __init__(self, account_sid: str = "AC" + "0" * 32):
        self.account_sid = account_sid
        self.messages: list[dict] = []
        self.script: list[tuple[int, int | None]] = []
        self.requests = 0
        self.delay = 0.0
        self.hold = False
        self.times: list[float] = []  # time.monotonic() of each accepted message
        self._lock = threading.Lock()
        self.in_flight = 0  # message requests received and not yet answered
        self._connections: set = set()  # open keep-alive sockets, closed by stop()
        self._server = _Server(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address
        return f"http://{host}:{port}"

    def start(self) -> "FakeTwilio":
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop answering, also on connections a client keeps open."""
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            connections, self._connections = list(self._connections), set()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def text_in(
        self, *, webhook_url: str, auth_token: str, from_: str, body: str, to: str = ""
    ) -> str:
        """A patient's text, posted to the clinic's webhook the way Twilio does it
        (form-encoded, signed with X-Twilio-Signature). Returns the TwiML answer."""
        from urllib.parse import urlencode
        from urllib.request import Request, urlopen

        from twilio.request_validator import RequestValidator

        params = {
            "MessageSid": "SM" + uuid.uuid4().hex,
            "AccountSid": self.account_sid,
            "From": from_,
            "To": to,
            "Body": body,
        }
        signature = RequestValidator(auth_token).compute_signature(webhook_url, params)
        request = Request(
            webhook_url,
            data=urlencode(params).encode(),
            headers={"X-Twilio-Signature": signature},
        )
        with urlopen(request, timeout=10) as response:
            return response.read().decode()

    def settle(self, timeout: float = 30) -> None:
        """Wait until every message request received has been answered (or taken).

        Twilio keeps a message it accepted; a client killed mid-request does not
        stop the server from keeping it.
        """
        deadline = time.monotonic() + timeout
        while self.in_flight and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not self.in_flight, "the fake Twilio is still answering"

    def bodies_to(self, number: str) -> list[str]:
        return [m["body"] for m in self.messages if m["to"] == number]

    def _answer(self, form: dict) -> tuple[int, dict]:
        with self._lock:
            self.requests += 1
            status, code = self.script.pop(0) if self.script else (201, None)
            if status != 201:
                return status, {
                    "code": code,
                    "message": f"fake error {code or status}",
                    "more_info": "https://www.twilio.com/docs/errors",
                    "status": status,
                }
            now = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
            message = {
                "sid": "SM" + uuid.uuid4().hex,
                "account_sid": self.account_sid,
                "to": form.get("To", [""])[0],
                "from": form.get("From", [""])[0],
                "body": form.get("Body", [""])[0],
                "status": "queued",
                "date_created": now,
                "date_sent": None if self.hold else now,
                "status_callback": form.get("StatusCallback", [""])[0],
            }
            self.messages.append(message)
            self.times.append(time.monotonic())
            return 201, message

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive: every reply has a length
            # Headers and body go out in two writes: without TCP_NODELAY the body
            # waits for the client's delayed ACK (40 ms) on a kept-alive connection.
            disable_nagle_algorithm = True

            def setup(self):
                super().setup()
                with fake._lock:
                    fake._connections.add(self.connection)

            def finish(self):
                with fake._lock:
                    fake._connections.discard(self.connection)
                super().finish()

            def log_message(self, *args):
                pass

            def _reply(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(length)
                if len(data) < length:
                    # The client died between the headers and the body (urllib3
                    # sends them apart): Twilio never sees a message.
                    self.close_connection = True
                    return None
                form = parse_qs(data.decode())
                if not self.path.endswith("/Messages.json"):
                    return self._reply(404, {"code": 20404, "message": "not found"})
                if not form.get("To") or not form.get("Body"):
                    return self._reply(
                        400, {"code": 21604, "message": "To and Body are required"}
                    )
                with fake._lock:
                    fake.in_flight += 1
                try:
                    if fake.delay:
                        time.sleep(fake.delay)
                    answer = fake._answer(form)
                finally:
                    with fake._lock:
                        fake.in_flight -= 1
                self._reply(*answer)

            def do_GET(self):
                url = urlparse(self.path)
                query = parse_qs(url.query)
                to = query.get("To", [None])[0]
                sent_after = query.get("DateSent>", [None])[0]
                with fake._lock:
                    found = [m for m in fake.messages if to is None or m["to"] == to]
                if sent_after is not None:
                    after = datetime.fromisoformat(sent_after.replace("Z", "+00:00"))
                    found = [
                        m
                        for m in found
                        if m["date_sent"]
                        and parsedate_to_datetime(m["date_sent"]) >= after
                    ]
                found = found[::-1]  # newest first, as Twilio lists them
                self._reply(
                    200,
                    {
                        "messages": found,
                        "next_page_uri": None,
                        "page": 0,
                        "page_size": 50,
                        "uri": url.path,
                        "first_page_uri": url.path,
                        "previous_page_uri": None,
                        "end": len(found),
                        "start": 0,
                    },
                )

        return Handler
