"""A local stand-in for a browser push service (FCM, Mozilla autopush, Apple), for tests.

It serves HTTPS on 127.0.0.1 with a self-signed certificate and checks every request the way
a real push service does before it answers:

* ``Authorization: vapid t=<JWT>, k=<key>`` (RFC 8292): ``k`` is the application server key
  the subscription was created with; the JWT header says ES256, its signature verifies with
  ``k``; ``aud`` is the endpoint's origin; ``exp`` is in the future and at most 24 h away;
  ``sub`` is a ``mailto:`` or ``https:`` contact;
* ``Content-Encoding: aes128gcm`` and a numeric ``TTL``;
* the body decrypts (RFC 8291) with the *subscriber's* private key and auth secret, which
  only the test (playing the browser) holds.

A request that fails a check is answered 401/400 like a real service and recorded in
``problems``. Each endpoint answers 201 unless the test scripts other statuses for it.
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import json
import os
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import http_ece
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.x509.oid import NameOID


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Browser:
    """The subscriber's side: its ECDH key pair and auth secret (what a browser keeps)."""

    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth_secret: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        return b64url(self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)


@dataclass
class Received:
    token: str
    headers: dict
    claims: dict
    payload: dict


class StandInPushService:
    def __init__(self, cert_dir: Path):
        self.application_server_key: str | None = None  # set by the test (the server's key)
        self.browsers: dict[str, Browser] = {}
        self.scripts: dict[str, list[int]] = {}
        self.received: list[Received] = []
        self.attempts: dict[str, int] = {}
        self.problems: list[str] = []
        self._lock = threading.Lock()
        self.cert_file = cert_dir / "push-service.pem"
        key_file = cert_dir / "push-service.key"
        _self_signed(self.cert_file, key_file)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_file, key_file)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.origin = f"https://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def new_subscription(self, token: str, *, statuses: list[int] | None = None) -> dict:
        """A browser subscribing: the PushSubscription.toJSON() it would hand to the page."""
        browser = Browser()
        self.browsers[token] = browser
        if statuses:
            self.scripts[token] = list(statuses)
        return {"endpoint": f"{self.origin}/push/{token}",
                "keys": {"p256dh": browser.p256dh, "auth": browser.auth}}

    def payloads(self, token: str) -> list[dict]:
        return [r.payload for r in self.received if r.token == token]

    # --- verification, as a push service does it ---------------------------------------

    def verify(self, token: str, headers, body: bytes) -> tuple[int, Received | None, str]:
        auth = headers.get("Authorization", "")
        scheme, _, params = auth.partition(" ")
        if scheme.lower() != "vapid":
            return 401, None, f"Authorization scheme is not vapid: {auth[:40]!r}"
        parts = dict(p.strip().split("=", 1) for p in params.split(",") if "=" in p)
        jwt, k = parts.get("t", ""), parts.get("k", "")
        if not jwt or not k:
            return 401, None, "Authorization lacks t= or k="
        if self.application_server_key and k != self.application_server_key:
            return 403, None, "k is not the key this subscription was created with"
        try:
            public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(k))
            header_b64, claims_b64, signature_b64 = jwt.split(".")
            header = json.loads(unb64url(header_b64))
            claims = json.loads(unb64url(claims_b64))
            signature = unb64url(signature_b64)
        except (ValueError, TypeError) as exc:
            return 401, None, f"malformed VAPID token: {exc}"
        if header.get("alg") != "ES256" or len(signature) != 64:
            return 401, None, f"JWT is not ES256: {header}"
        der = encode_dss_signature(int.from_bytes(signature[:32], "big"),
                                   int.from_bytes(signature[32:], "big"))
        try:
            public.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            return 401, None, "JWT signature does not verify with k"
        now = time.time()
        if claims.get("aud") != self.origin:
            return 401, None, f"aud {claims.get('aud')!r} is not {self.origin!r}"
        if not isinstance(claims.get("exp"), int) or not now < claims["exp"] <= now + 86400:
            return 401, None, f"exp {claims.get('exp')!r} not within 24 hours"
        if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
            return 401, None, f"sub {claims.get('sub')!r} is not a contact URI"
        if headers.get("Content-Encoding") != "aes128gcm":
            return 400, None, f"Content-Encoding {headers.get('Content-Encoding')!r}"
        if not (headers.get("TTL") or "").isdigit():
            return 400, None, f"TTL header {headers.get('TTL')!r} is not a number"
        browser = self.browsers.get(token)
        if browser is None:
            return 404, None, f"unknown subscription {token}"
        try:
            plain = http_ece.decrypt(body, private_key=browser.private_key,
                                     auth_secret=browser.auth_secret, version="aes128gcm")
            payload = json.loads(plain)
        except Exception as exc:  # noqa: BLE001 - any failure is a bad message
            return 400, None, f"payload does not decrypt: {exc!r}"
        return 201, Received(token, {k.lower(): v for k, v in headers.items()}, claims,
                                payload), ""


def _handler(service: StandInPushService):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            token = self.path.rsplit("/", 1)[-1]
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, received, problem = service.verify(token, self.headers, body)
            with service._lock:
                service.attempts[token] = service.attempts.get(token, 0) + 1
                if problem:
                    service.problems.append(f"{token}: {problem}")
                elif service.scripts.get(token):
                    status = service.scripts[token].pop(0)
                if status in (200, 201, 202) and received is not None:
                    service.received.append(received)
            self.send_response(status)
            if status in (200, 201, 202):
                self.send_header("Location", f"{service.origin}/message/{token}")
            self.send_header("Content-Length", "0")
            self.end_headers()

    return Handler


def _self_signed(cert_file: Path, key_file: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
