"""Password hashes: ours and werkzeug's (the format accounts were stored in) check each other."""

from __future__ import annotations

import pytest
from werkzeug.security import check_password_hash as werkzeug_check
from werkzeug.security import generate_password_hash

from mapservice.accounts.passwords import check_password_hash, hash_password

PASSWORD = "un mot de passe assez long é"


def test_a_hash_is_scrypt_salted_and_checks():
    stored = hash_password(PASSWORD)
    assert stored.startswith("scrypt:32768:8:1$") and PASSWORD not in stored
    assert stored != hash_password(PASSWORD)  # a new salt each time
    assert check_password_hash(stored, PASSWORD)
    assert not check_password_hash(stored, PASSWORD + "x")


@pytest.mark.parametrize("method", ["scrypt", "pbkdf2:sha256:1000"])
def test_hashes_stored_by_werkzeug_still_check(method):
    stored = generate_password_hash(PASSWORD, method=method)
    assert check_password_hash(stored, PASSWORD)
    assert not check_password_hash(stored, "autre chose")


def test_werkzeug_reads_our_hashes():
    assert werkzeug_check(hash_password(PASSWORD), PASSWORD)


@pytest.mark.parametrize("stored", ["", "scrypt", "md5$sel$abc", "scrypt:x:8:1$sel$abc"])
def test_a_malformed_hash_never_matches(stored):
    assert not check_password_hash(stored, PASSWORD)
