"""A software WebAuthn authenticator (ES256, "none" attestation) for the API tests: it answers the
server's options as a browser with a passkey would, so a passkey can be added and used without a
browser. tests/browser/test_passkeys.py does the same in Chromium with its virtual authenticator."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

ORIGIN = "http://localhost"  # Flask's test client asks for localhost
UP_UV_AT = 0x01 | 0x04 | 0x40  # user present, user verified, attested credential data
UP_UV = 0x01 | 0x04


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _client_data(kind: str, challenge: str, origin: str) -> bytes:
    return json.dumps({"type": kind, "challenge": challenge, "origin": origin}).encode()


class SoftAuthenticator:
    """One passkey: a P-256 key pair and a credential id; counts its uses like a security key."""

    def __init__(self):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(16)
        self.sign_count = 0

    def _cose_public_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps(
            {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")}
        )

    def create(self, options: dict, origin: str = ORIGIN) -> dict:
        """The PublicKeyCredential JSON of navigator.credentials.create(options)."""
        rp_hash = hashlib.sha256(options["rp"]["id"].encode()).digest()
        attested = bytes(16) + struct.pack(">H", len(self.credential_id)) + self.credential_id
        auth_data = rp_hash + bytes([UP_UV_AT]) + struct.pack(">I", self.sign_count) + attested
        auth_data += self._cose_public_key()
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(_client_data("webauthn.create", options["challenge"], origin)),
                "attestationObject": b64url(attestation),
            },
            "clientExtensionResults": {},
        }

    def get(self, options: dict, origin: str = ORIGIN) -> dict:
        """The PublicKeyCredential JSON of navigator.credentials.get(options)."""
        self.sign_count += 1
        rp_hash = hashlib.sha256(options["rpId"].encode()).digest()
        auth_data = rp_hash + bytes([UP_UV]) + struct.pack(">I", self.sign_count)
        client_data = _client_data("webauthn.get", options["challenge"], origin)
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(signature),
            },
            "clientExtensionResults": {},
        }
