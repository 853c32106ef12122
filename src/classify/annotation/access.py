"""Who may annotate and retrain: named annotators with passwords, stored hashed outside the repository.

Without a users file the app works for a single local user, as before; with one,
the Annotate page and retraining ask for a name and password, while matrices
stay open to everyone.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from classify.tables import write_atomic

SCRYPT = {"n": 2**14, "r": 8, "p": 1}


class AccessError(ValueError):
    """A users file or a user entry that cannot be used."""


def users_file() -> Path:
    """Where the users file is (`project.users_path`)."""
    from classify.project import users_path

    return users_path()


def hash_password(password: str, salt: bytes | None = None) -> str:
    """'scrypt$n$r$p$salt$hash' for a password; the salt is random unless given."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, **SCRYPT)
    return f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` matches a stored hash, compared in constant time."""
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        digest = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), dklen=32,
                                n=int(n), r=int(r), p=int(p))
    except (ValueError, TypeError):
        return False
    return scheme == "scrypt" and hmac.compare_digest(digest.hex(), expected)


def load_users(path: Path | None = None) -> dict[str, str] | None:
    """Annotator name → password hash, or None when there is no users file (open, single-user mode)."""
    path = path or users_file()
    if not path.exists():
        return None
    try:
        users = json.loads(path.read_text(encoding="utf-8")).get("annotators", {})
    except (ValueError, AttributeError) as err:
        raise AccessError(f"{path}: unreadable users file ({err})") from None
    if not isinstance(users, dict):
        raise AccessError(f"{path}: 'annotators' must map names to password hashes")
    return users


def check_login(name: str, password: str, users: dict[str, str] | None) -> bool:
    """True in open mode; otherwise only for a known name with its password."""
    if users is None:
        return True
    return name in users and verify_password(password, users[name])


def add_user(name: str, password: str, path: Path | None = None) -> Path:
    """Add or reset an annotator; the file is created readable by its owner only."""
    path = path or users_file()
    if not name.strip():
        raise AccessError("an annotator needs a name")
    name = _plain_name(name)
    if len(password) < 8:
        raise AccessError("a password needs at least 8 characters")
    users = load_users(path) or {}
    users[name] = hash_password(password)
    text = json.dumps({"annotators": users}, ensure_ascii=False, indent=2)
    # Made owner-only before it takes the file's name: the hashes are never readable by others, even briefly.
    return write_atomic(path, lambda partial: (partial.write_text(text, encoding="utf-8"), os.chmod(partial, 0o600)))


def _plain_name(name: str) -> str:
    """The name as the annotation store keeps it (see `labeled.annotator_name`), so a login and the
    records it writes carry one spelling."""
    from classify.annotation.labeled import StoreError, annotator_name

    try:
        return annotator_name(name)
    except StoreError as err:
        raise AccessError(str(err)) from None


@dataclass
class LoginThrottle:
    """Failed logins per name, server-wide: after 3 failures each further try waits twice as long
    (2 s, 4 s, … up to 5 minutes), so a password cannot be guessed at the app's speed."""

    failures: dict[str, int] = field(default_factory=dict)
    blocked_until: dict[str, float] = field(default_factory=dict)

    def wait(self, name: str, now: float) -> float:
        """Seconds until `name` may try again (0 when it may now)."""
        return max(0.0, self.blocked_until.get(name, 0.0) - now)

    def record(self, name: str, ok: bool, now: float) -> None:
        if ok:
            self.failures.pop(name, None)
            self.blocked_until.pop(name, None)
            return
        self.failures[name] = self.failures.get(name, 0) + 1
        if self.failures[name] >= 3:
            self.blocked_until[name] = now + min(300.0, 2.0 ** (self.failures[name] - 2))
