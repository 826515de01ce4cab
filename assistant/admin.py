"""Who may manage documents: the coordinator's password, login sessions, the API's token.

The password is kept only as a salted scrypt hash (`python -m assistant admin set-password`
writes it into the settings file); a login starts a session that expires; failed logins from
one address are rate-limited. Scripts use a bearer token instead (admin_token). Everything is
compared in constant time. Teachers' pages need none of this.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field

# scrypt's cost: about 60 ms and 16 MB a check on these machines.
_N, _R, _P = 2**14, 8, 1
SESSION_SECONDS = 8 * 3600
FAILED_LOGINS_MAX = 5  # per address within FAILED_LOGIN_WINDOW
FAILED_LOGIN_WINDOW = 15 * 60


def hash_password(password: str, salt: bytes | None = None) -> str:
    """'scrypt$N$r$p$salt$hash', hex: what admin_password holds."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    """Whether the password matches the stored hash (False for a malformed hash)."""
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        found = hashlib.scrypt(
            password.encode("utf-8"),
            salt=bytes.fromhex(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(bytes.fromhex(digest)),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(found.hex(), digest)


def is_password_hash(value: str) -> bool:
    return value.startswith("scrypt$") and value.count("$") == 5


def check_token(given: str | None, expected: str) -> bool:
    """Whether a bearer token is the configured one (never when none is configured)."""
    return bool(expected) and given is not None and hmac.compare_digest(given, expected)


@dataclass
class Sessions:
    """Logged-in coordinators' sessions (in memory: a restart logs everyone out) and the
    failed logins per address."""

    lifetime: float = SESSION_SECONDS
    clock: callable = time.monotonic
    _sessions: dict[str, tuple[float, str]] = field(default_factory=dict)
    _failures: dict[str, deque] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> tuple[str, str]:
        """A new session: its id (the cookie) and its form token (against cross-site posts)."""
        session, form = secrets.token_urlsafe(32), secrets.token_urlsafe(16)
        with self._lock:
            self._sessions[session] = (self.clock() + self.lifetime, form)
        return session, form

    def form_token(self, session: str | None) -> str | None:
        """The session's form token while it lasts, else None."""
        if not session:
            return None
        with self._lock:
            found = self._sessions.get(session)
            if found is None:
                return None
            expires, form = found
            if expires <= self.clock():
                del self._sessions[session]
                return None
            return form

    def end(self, session: str | None) -> None:
        with self._lock:
            self._sessions.pop(session or "", None)

    def blocked(self, address: str) -> bool:
        """Whether this address failed too often lately."""
        with self._lock:
            failures = self._failures.get(address, deque())
            while failures and failures[0] <= self.clock() - FAILED_LOGIN_WINDOW:
                failures.popleft()
            return len(failures) >= FAILED_LOGINS_MAX

    def failed(self, address: str) -> None:
        with self._lock:
            self._failures.setdefault(address, deque()).append(self.clock())
