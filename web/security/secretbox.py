"""Encryption of issued initial passwords.

Why store them at all: schools export the account list and hand each teacher the initial password
(seed 003: "已修改过密码的用户,密码在导出后显示为空"). So the password must be recoverable until the
teacher changes it, and only until then. We keep it encrypted with Fernet (AES-128-CBC +
HMAC-SHA256), under a key derived (HKDF-SHA256) from TMIS_SECRET_KEY, and erase it on the first
password change. A database dump alone does not reveal it; the hash stays argon2 as for any password.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class SecretBox:
    def __init__(self, secret_key: str) -> None:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"tmis-initial-password",
                   info=b"fernet-v1").derive(secret_key.encode())
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def seal(self, text: str) -> str:
        return self._fernet.encrypt(text.encode()).decode()

    def open(self, token: str | None) -> str | None:
        """The plain text, or None when absent or sealed under another key."""
        if not token:
            return None
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            return None
