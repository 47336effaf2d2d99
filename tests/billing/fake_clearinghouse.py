"""A small HTTP clearinghouse on 127.0.0.1 for the ``http`` backend: POST stores a
file under its Idempotency-Key, GET /<key> answers 200 when it has it, 404 when
not. ``script`` holds status codes for the next POSTs (e.g. ``[503, 502]``)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeClearinghouse:
    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.posts = 0
        self.script: list[int] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address
        return f"http://{host}:{port}/claims"

    def start(self) -> "FakeClearinghouse":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status: int, body: bytes = b"") -> None:
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                fake.posts += 1
                if fake.script:
                    self._answer(fake.script.pop(0), b"busy")
                    return
                fake.files[self.headers["Idempotency-Key"]] = body
                self._answer(202, b"accepted")

            def do_GET(self):
                key = self.path.rsplit("/", 1)[-1]
                self._answer(200 if key in fake.files else 404)

        return Handler
