"""A local stand-in HTTP server for platform APIs (WeChat, Weibo, Douyin, webhooks): a thread
on 127.0.0.1 that records every request and answers through a route function, so tests check
exactly what Rongmei sends, over real HTTP. The ``standin`` fixture (conftest.py) starts one
and closes it after the test."""

from __future__ import annotations

import json
import sys
import threading
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Received:
    method: str
    path: str
    query: dict
    headers: dict
    body: bytes
    files: dict = field(default_factory=dict)  # name -> (filename, bytes, content type)
    form: dict = field(default_factory=dict)

    def json(self):
        return json.loads(self.body.decode())


def parse(method: str, raw_path: str, headers, body: bytes) -> Received:
    parts = urlsplit(raw_path)
    request = Received(method, parts.path, dict(parse_qsl(parts.query)),
                       {k.lower(): v for k, v in headers.items()}, body)
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("multipart/form-data"):
        message = BytesParser(policy=policy.HTTP).parsebytes(
            f"Content-Type: {ctype}\r\n\r\n".encode() + body)
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            filename = part.get_filename()
            payload = part.get_payload(decode=True)
            if filename:
                request.files[name] = (filename, payload, part.get_content_type())
            else:
                request.form[name] = payload.decode()
    elif ctype.startswith("application/x-www-form-urlencoded"):
        request.form = dict(parse_qsl(body.decode()))
    return request


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that timed out on purpose (the timeout tests) closed the connection.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class StandIn:
    """``route(request) -> (status, body)`` or ``(status, body, headers)``; body a dict (sent
    as JSON) or bytes."""

    def __init__(self, route):
        self.route = route
        self.requests: list[Received] = []
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                request = parse(self.command, self.path, self.headers, self.rfile.read(length))
                standin.requests.append(request)
                status, answer, *extra = standin.route(request)
                data = answer if isinstance(answer, bytes) else json.dumps(
                    answer, ensure_ascii=False).encode()
                self.send_response(status)
                for name, value in (extra[0] if extra else {}).items():  # e.g. Location
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _handle

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    def close(self):
        self.server.shutdown()
        self.server.server_close()
