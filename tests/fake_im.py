"""A fake DingTalk / robot / 企业微信 / SMS gateway on 127.0.0.1 that records what it received.

It behaves like the real services where the tests depend on it: tokens expire, robots check
the 加签 signature the way DingTalk does, and answers can be scripted (500, garbage, errcode).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROBOT_SECRET = "SEC0123456789abcdef"  # noqa: S105 (a test fixture)


@dataclass
class Received:
    method: str
    path: str
    query: dict
    body: dict | None
    headers: dict


@dataclass
class FakeIm:
    requests: list[Received] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    scripted: dict[str, list[tuple[int, bytes]]] = field(default_factory=dict)
    issued: int = 0

    def start(self) -> FakeIm:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep the test output quiet
                pass

            def do_GET(self):
                self._handle("GET")

            def do_POST(self):
                self._handle("POST")

            def _handle(self, method):
                parsed = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parsed.query))
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                fake.requests.append(
                    Received(method, parsed.path, query, body, dict(self.headers.items()))
                )
                status, answer = fake.answer(parsed.path, query)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def script(self, path: str, *answers: tuple[int, bytes | dict]) -> None:
        """The next requests to `path` get these answers, in order, then the normal one."""
        self.scripted.setdefault(path, []).extend(
            (status, body if isinstance(body, bytes) else json.dumps(body).encode())
            for status, body in answers
        )

    def expire_tokens(self) -> None:
        self.tokens.clear()

    def of(self, path: str) -> list[Received]:
        return [r for r in self.requests if r.path == path]

    def answer(self, path: str, query: dict) -> tuple[int, bytes]:
        if self.scripted.get(path):
            return self.scripted[path].pop(0)
        return 200, json.dumps(self._normal(path, query), ensure_ascii=False).encode()

    def _normal(self, path: str, query: dict) -> dict:
        if path == "/gettoken":
            if query.get("appkey") != "key" or query.get("appsecret") != "secret":
                return {"errcode": 40089, "errmsg": "invalid appkey or appsecret"}
            self.issued += 1
            token = f"token-{self.issued}"
            self.tokens.add(token)
            return {"errcode": 0, "access_token": token, "expires_in": 7200}
        if path == "/topapi/message/corpconversation/asyncsend_v2":
            if query.get("access_token") not in self.tokens:
                return {"errcode": 42001, "errmsg": "access_token expired"}
            return {"errcode": 0, "errmsg": "ok", "task_id": 1000 + len(self.requests)}
        if path == "/robot/send":
            return self._robot(query)
        if path == "/cgi-bin/webhook/send":
            return {"errcode": 0, "errmsg": "ok"}
        if path == "/sms":
            return {"code": 0, "id": f"sms-{len(self.requests)}"}
        return {"errcode": 404, "errmsg": "unknown path"}

    @staticmethod
    def _robot(query: dict) -> dict:
        """DingTalk's check: timestamp within an hour, sign = b64(HMAC-SHA256(secret, ts\\nsec))."""
        try:
            timestamp = int(query["timestamp"])
        except (KeyError, ValueError):
            return {"errcode": 310000, "errmsg": "sign not match (no timestamp)"}
        if abs(time.time() * 1000 - timestamp) > 3600 * 1000:
            return {"errcode": 310000, "errmsg": "timestamp too old"}
        expected = base64.b64encode(
            hmac.new(
                ROBOT_SECRET.encode(), f"{timestamp}\n{ROBOT_SECRET}".encode(), hashlib.sha256
            ).digest()
        ).decode()
        if query.get("sign") != expected:
            return {"errcode": 310000, "errmsg": "sign not match"}
        return {"errcode": 0, "errmsg": "ok"}
