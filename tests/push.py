"""A Web Push service for tests: `PushService` is a tiny http.server on 127.0.0.1, in a thread,
that plays the part of a browser's push service. Each `subscribe()` makes a subscription the
way a browser does (a P-256 key pair and a 16-byte auth secret, RFC 8291), and each push that
arrives is decrypted with that private key (http_ece, aes128gcm) and its VAPID header checked
(RFC 8292: an ES256 JWT for this origin, signed by the key the header names).

    with PushService() as service:
        subscription = service.subscribe()          # {endpoint, keys: {p256dh, auth}}
        service.answer(subscription, 410)           # the push service says it is gone
        [push] = service.received                   # push.message is the decrypted JSON

`PRODUCTION_PUSH` is a fixed VAPID key pair for tests that start the app in production.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

PRODUCTION_PUSH = {
    "VAPID_PRIVATE_KEY": "oBshA42D9LTnLSy6sKDVA1p6T181W52atwvxS3Db2K8",
    "VAPID_PUBLIC_KEY": (
        "BIQ7B2klTqLcnVB0HU6cY0fujWr9UcHImU_yM196lo9REBPXnQ5XmoZElbAtKDQSgdXXtyNPr_54RwTVnW11M_I"
    ),
    "VAPID_SUBJECT": "mailto:clinic@example.test",
}


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Push:
    """One push as the service received it, decrypted."""

    path: str
    message: dict
    headers: dict  # by lower-case name
    vapid_key: str  # the application server key of the VAPID header
    claims: dict  # the VAPID JWT's claims (aud, exp, sub)


def _vapid(authorization: str) -> tuple[str, dict]:
    """The key and the claims of a `vapid t=<jwt>, k=<key>` header, after checking the JWT's
    ES256 signature with that key (RFC 8292 section 3)."""
    scheme, _, rest = authorization.partition(" ")
    assert scheme == "vapid", authorization
    parts = dict(part.strip().split("=", 1) for part in rest.split(","))
    header, claims, signature = parts["t"].split(".")
    assert json.loads(unb64url(header)) == {"typ": "JWT", "alg": "ES256"}
    raw = unb64url(signature)
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(parts["k"]))
    public.verify(  # raises InvalidSignature
        encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
        f"{header}.{claims}".encode(),
        ec.ECDSA(hashes.SHA256()),
    )
    return parts["k"], json.loads(unb64url(claims))


class PushService:
    """The fake push service; `received` holds each push, decrypted, in the order it came."""

    def __init__(self):
        self.received: list[Push] = []
        self.failures: list[str] = []  # pushes that could not be read: the test should fail
        self._keys: dict[str, tuple[ec.EllipticCurvePrivateKey, bytes]] = {}
        self._answers: dict[str, int] = {}
        self._lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status = service._receive(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="push-service", daemon=True)

    def __enter__(self) -> PushService:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    def subscribe(self) -> dict:
        """A new subscription, as a browser's PushSubscription.toJSON() gives it."""
        private = ec.generate_private_key(ec.SECP256R1())
        auth = os.urandom(16)
        path = f"/push/{uuid.uuid4().hex}"
        self._keys[path] = (private, auth)
        public = private.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        return {"endpoint": self.origin + path, "keys": {"p256dh": b64url(public), "auth": b64url(auth)}}

    def answer(self, subscription: dict, status: int) -> None:
        """Answer pushes to this subscription with `status` (201 otherwise)."""
        self._answers[subscription["endpoint"].removeprefix(self.origin)] = status

    def pushes_to(self, subscription: dict) -> list[Push]:
        path = subscription["endpoint"].removeprefix(self.origin)
        return [push for push in self.received if push.path == path]

    def _receive(self, path: str, headers: dict, body: bytes) -> int:
        try:
            private, auth = self._keys[path]
            assert headers.get("content-encoding") == "aes128gcm", headers
            plain = http_ece.decrypt(body, private_key=private, auth_secret=auth, version="aes128gcm")
            key, claims = _vapid(headers["authorization"])
            push = Push(path, json.loads(plain), headers, key, claims)
        except Exception as error:  # recorded for the test, which asserts there are none
            with self._lock:
                self.failures.append(f"{path}: {type(error).__name__}: {error}")
            return 400
        with self._lock:
            self.received.append(push)
        return self._answers.get(path, 201)
