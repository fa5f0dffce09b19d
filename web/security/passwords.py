"""Password policy, hashing (argon2id) and random initial passwords.

Policy (seed 003): 8–16 characters, at least three of: upper case, lower case, digits, symbols.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

SYMBOLS = "!@#$%^&*()-_=+[]{};:,.?/~"
CLASSES = (
    ("upper", lambda c: c in string.ascii_uppercase),
    ("lower", lambda c: c in string.ascii_lowercase),
    ("digit", lambda c: c in string.digits),
    ("symbol", lambda c: not c.isalnum() and c.isprintable() and not c.isspace()),
)
_NAMES_ZH = {"upper": "大写字母", "lower": "小写字母", "digit": "数字", "symbol": "特殊字符"}


def policy_problems(password: str) -> list[tuple[str, str]]:
    """(Chinese, English) descriptions of what is wrong; empty when the password is acceptable."""
    out: list[tuple[str, str]] = []
    if not 8 <= len(password) <= 16:
        out.append((f"长度为 {len(password)} 位，应为 8–16 位", f"length {len(password)}, must be 8–16"))
    if any(c.isspace() for c in password):
        out.append(("不能包含空格", "must not contain spaces"))
    present = [name for name, test in CLASSES if any(test(c) for c in password)]
    if len(present) < 3:
        have = "、".join(_NAMES_ZH[n] for n in present) or "无"
        out.append((f"只包含{have}，至少需要三类", f"has only {', '.join(present) or 'nothing'}; needs three kinds"))
    return out


def random_password(length: int = 12) -> str:
    """A random password that satisfies the policy (all four classes, no look-alike characters)."""
    alphabet = {
        "upper": "ABCDEFGHJKLMNPQRSTUVWXYZ",
        "lower": "abcdefghijkmnpqrstuvwxyz",
        "digit": "23456789",
        "symbol": "@#%+=?",
    }
    chars = [secrets.choice(a) for a in alphabet.values()]
    pool = "".join(alphabet.values())
    chars += [secrets.choice(pool) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


@dataclass(frozen=True)
class Hasher:
    time_cost: int = 3
    memory_kib: int = 65536

    @property
    def _ph(self) -> PasswordHasher:
        return PasswordHasher(time_cost=self.time_cost, memory_cost=self.memory_kib, parallelism=1)

    def hash(self, password: str) -> str:
        return self._ph.hash(password)

    def verify(self, stored: str, password: str) -> bool:
        try:
            return self._ph.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        return self._ph.check_needs_rehash(stored)


# A hash of a random password: verifying against it for unknown usernames costs the same time
# as for known ones, so response times do not reveal which usernames exist.
def dummy_hash(hasher: Hasher) -> str:
    return hasher.hash(secrets.token_urlsafe(12))
