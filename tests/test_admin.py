"""Passwords, sessions and tokens of the Beheer page."""

from assistant.admin import (
    FAILED_LOGINS_MAX,
    Sessions,
    check_password,
    check_token,
    hash_password,
    is_password_hash,
)


def test_a_password_is_kept_as_a_salted_hash_and_checked_in_constant_time():
    stored = hash_password("kleuters-in-gent")
    assert is_password_hash(stored) and "kleuters" not in stored
    assert hash_password("kleuters-in-gent") != stored  # salted
    assert check_password("kleuters-in-gent", stored)
    assert not check_password("kleuters-in-genT", stored)
    assert not check_password("kleuters-in-gent", "scrypt$oops")
    assert not check_token("x" * 20, "")  # no token configured: nobody gets in
    assert check_token("een-lang-token-0123", "een-lang-token-0123")
    assert not check_token(None, "een-lang-token-0123")


def test_sessions_expire_and_failed_logins_are_rate_limited():
    now = [1000.0]
    sessions = Sessions(lifetime=60, clock=lambda: now[0])
    session, form = sessions.start()
    assert sessions.form_token(session) == form
    now[0] += 61
    assert sessions.form_token(session) is None  # expired
    for _ in range(FAILED_LOGINS_MAX):
        assert not sessions.blocked("10.0.0.1")
        sessions.failed("10.0.0.1")
    assert sessions.blocked("10.0.0.1") and not sessions.blocked("10.0.0.2")
    now[0] += 15 * 60 + 1
    assert not sessions.blocked("10.0.0.1")  # the window passed
