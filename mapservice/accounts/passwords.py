"""Password hashes: scrypt by :func:`hashlib.scrypt`, in werkzeug's stored format.

A hash reads ``scrypt:32768:8:1$<salt>$<hex digest>``, the format the accounts were stored in
before this module (werkzeug's ``generate_password_hash``), so every existing hash still checks;
``pbkdf2:<hash>:<iterations>$…`` hashes check too.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string

SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
SALT_CHARS = string.ascii_letters + string.digits
SALT_LENGTH = 16


def _digest(method: str, salt: str, password: str) -> str:
    """The hex digest of ``password`` by ``method`` (``scrypt:n:r:p`` or ``pbkdf2:hash:n``)."""
    name, *args = method.split(":")
    if name == "scrypt":
        n, r, p = (int(a) for a in args) if args else (SCRYPT_N, SCRYPT_R, SCRYPT_P)
        return hashlib.scrypt(
            password.encode(), salt=salt.encode(), n=n, r=r, p=p, maxmem=132 * n * r * p
        ).hex()
    if name == "pbkdf2":
        hash_name = args[0] if args else "sha256"
        iterations = int(args[1]) if len(args) > 1 else 1_000_000
        return hashlib.pbkdf2_hmac(hash_name, password.encode(), salt.encode(), iterations).hex()
    msg = f"Méthode de hachage inconnue : {name!r} (attendu : scrypt ou pbkdf2)."
    raise ValueError(msg)


def hash_password(password: str) -> str:
    """Return the stored form of ``password``: method, random salt and scrypt digest."""
    salt = "".join(secrets.choice(SALT_CHARS) for _ in range(SALT_LENGTH))
    method = f"scrypt:{SCRYPT_N}:{SCRYPT_R}:{SCRYPT_P}"
    return f"{method}${salt}${_digest(method, salt, password)}"


def check_password_hash(stored: str, password: str) -> bool:
    """True when ``password`` is the one ``stored`` was made from (constant-time compare)."""
    try:
        method, salt, digest = stored.split("$", 2)
        return hmac.compare_digest(_digest(method, salt, password), digest)
    except ValueError:
        return False
