"""Password policy, hashing (argon2id) and random initial passwords.

Policy (seed 003, hardened for issue 14):
- 8 to 64 characters; spaces inside are allowed (passphrases), not at either end; no control characters;
- shorter than 20 characters: at least three of upper case, lower case, digits, symbols (seed 003);
  a passphrase of 20 or more characters may use any characters;
- not guessable: zxcvbn (Dropbox's estimator, its dictionaries of common and breached passwords,
  keyboard walks, sequences, years and l33t substitutions) must estimate at least 10^8 guesses,
  counting the account's own username and name and this system's words (demo, tmis, …) as known,
  so Password1, Qwerty123, P@ssw0rd and Demo@2024 are refused while a random 8-character
  password of three kinds passes.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from typing import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH, MAX_LENGTH = 8, 64
PASSPHRASE_LENGTH = 20  # from here on the character-kind rule is waived
MIN_GUESSES_LOG10 = 8   # zxcvbn's estimate: at least 10^8 guesses
# words anyone attacking this system tries first (pinyin included): known to zxcvbn as user inputs
SYSTEM_WORDS = ("demo", "tmis", "jiaoshi", "teacher", "laoshi", "admin", "school", "xuexiao", "mima",
                "password", "guanli", "jiaoyu")
SYMBOLS = "!@#$%^&*()-_=+[]{};:,.?/~"
CLASSES = (
    ("upper", lambda c: c in string.ascii_uppercase),
    ("lower", lambda c: c in string.ascii_lowercase),
    ("digit", lambda c: c in string.digits),
    ("symbol", lambda c: not c.isalnum() and c.isprintable() and not c.isspace()),
)
_NAMES_ZH = {"upper": "大写字母", "lower": "小写字母", "digit": "数字", "symbol": "特殊字符"}


def policy_problems(password: str, user_inputs: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(Chinese, English) descriptions of what is wrong; empty when the password is acceptable.
    ``user_inputs``: the account's own words (username, real name) a guesser would try."""
    out: list[tuple[str, str]] = []
    n = len(password)
    if not MIN_LENGTH <= n <= MAX_LENGTH:
        out.append((f"长度为 {n} 个字符，应为 {MIN_LENGTH}–{MAX_LENGTH} 个", f"length {n}, must be {MIN_LENGTH}–{MAX_LENGTH}"))
    if password != password.strip():
        out.append(("首尾不能是空格", "must not begin or end with a space"))
    if any(not c.isprintable() and not c == " " for c in password):
        out.append(("不能包含控制字符", "must not contain control characters"))
    present = [name for name, test in CLASSES if any(test(c) for c in password)]
    if n < PASSPHRASE_LENGTH and len(present) < 3:
        have = "、".join(_NAMES_ZH[k] for k in present) or "无"
        out.append((f"只包含{have}，至少需要三类（{PASSPHRASE_LENGTH} 个字符以上的口令短语除外）",
                    f"has only {', '.join(present) or 'nothing'}; needs three kinds (unless {PASSPHRASE_LENGTH}+ characters)"))
    if not out and _guesses_log10(password, user_inputs) < MIN_GUESSES_LOG10:
        out.append(("太容易被猜到：是常见密码、常见模式（如 单词+@+年份、键盘序列）或含有用户名、姓名、系统名称",
                    "too easy to guess: a common password or pattern (a word + @ + a year, a keyboard walk) "
                    "or it contains the username, name or the system's name"))
    return out


def _guesses_log10(password: str, user_inputs: Iterable[str]) -> float:
    from zxcvbn import zxcvbn

    words = [w for w in (*SYSTEM_WORDS, *user_inputs) if w]
    return float(zxcvbn(password, user_inputs=words)["guesses_log10"])


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
    # a letter or digit first: initial passwords go into the accounts export, where a leading
    # @, + or = would be neutralised as a formula (engine/emit/xlsx_writer.py) and read back wrong
    first = next(i for i, c in enumerate(chars) if c.isalnum())
    chars[0], chars[first] = chars[first], chars[0]
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
