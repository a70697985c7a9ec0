"""A fake group robot: a threading HTTP server on 127.0.0.1 that records every request
and answers what the test queued (default: 企业微信/钉钉's success, errcode 0)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

OK = (200, {"errcode": 0, "errmsg": "ok"})


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        parts = urlsplit(self.path)
        self.server.requests.append(
            {
                "path": parts.path,
                "query": parse_qs(parts.query),
                "content_type": self.headers.get("Content-Type", ""),
                "json": json.loads(body.decode()),
                "at": time.monotonic(),
            }
        )
        status, answer = self.server.answers.pop(0) if self.server.answers else self.server.default
        payload = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


class FakeRobot:
    def __init__(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.requests = []
        self.server.answers = []
        self.server.default = OK
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def requests(self) -> list[dict]:
        return self.server.requests

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def answer_next(self, *answers: tuple[int, dict]) -> None:
        """Answer the next requests with these (status, body), then the default."""
        self.server.answers.extend(answers)

    def answer_always(self, status: int, body: dict) -> None:
        self.server.default = (status, body)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
