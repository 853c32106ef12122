"""classify.annotation.access: who may annotate: the users file, its hashed passwords, and the login."""

import json

import pytest

from classify.annotation.access import (AccessError, LoginThrottle, add_user, check_login, hash_password, load_users,
                                        verify_password)


def test_passwords_are_stored_hashed_and_salted(tmp_path):
    """The users file never holds a password, and two users with one password get different hashes."""
    path = tmp_path / "users.json"
    add_user("a", "same password", path)
    add_user("b", "same password", path)
    stored = json.loads(path.read_text(encoding="utf-8"))["annotators"]
    assert "same password" not in path.read_text(encoding="utf-8")
    assert stored["a"] != stored["b"] and stored["a"].startswith("scrypt$")
    assert path.stat().st_mode & 0o077 == 0, "only its owner may read the file"


def test_only_the_right_password_logs_in(tmp_path):
    path = add_user("张三", "secret-123", tmp_path / "users.json")
    users = load_users(path)
    assert check_login("张三", "secret-123", users)
    assert not check_login("张三", "secret-124", users)
    assert not check_login("李四", "secret-123", users)


def test_without_a_users_file_the_app_is_open(tmp_path):
    """A single local user needs no login."""
    assert load_users(tmp_path / "absent.json") is None
    assert check_login("anyone", "", None)


def test_short_passwords_and_broken_hashes_are_refused(tmp_path):
    with pytest.raises(AccessError, match="at least 8"):
        add_user("a", "short", tmp_path / "u.json")
    assert not verify_password("x", "not-a-hash")
    assert verify_password("correct", hash_password("correct"))


def test_repeated_failed_logins_wait_longer_and_longer():
    """Three failures for a name start a back-off that doubles; a success clears it."""
    throttle = LoginThrottle()
    for _ in range(3):
        throttle.record("李四", False, now=100.0)
    assert throttle.wait("李四", 100.0) == 2.0
    throttle.record("李四", False, now=100.0)
    assert throttle.wait("李四", 100.0) == 4.0 and throttle.wait("张三", 100.0) == 0.0
    throttle.record("李四", True, now=200.0)
    assert throttle.wait("李四", 200.0) == 0.0
