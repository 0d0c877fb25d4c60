"""What a password must not be: short, common, trivial, or the account's own name.

Checked wherever a password is chosen (the administrator's page, ``mapservice user``), never
at sign-in. The rules, in order:

- at least :data:`MIN_PASSWORD` characters, none of them a control character;
- not trivial: one character repeated (« aaaaaaaaaa »), a run along the alphabet, the digits or
  a keyboard row (« 1234567890 », « azertyuiop », « qwerty123! »: at most
  :data:`MAX_TRIVIAL_STARTS` places where the password does not simply go on), or one piece
  repeated (« soleilsoleil »);
- not one of the common passwords of ``data/common_passwords.txt``, give or take case,
  accents, ``@``-for-``a`` style substitutions and digits or symbols at either end
  (« Soleil2024! » is « soleil »);
- not holding the account's name, the parts of its e-mail address or its display name.

Each refusal says which rule and what to do instead, without repeating the password.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from mapservice.errors import N_, ConfigError, InvalidInput, Message, check_plain_text, tr

MIN_PASSWORD = 10
#: A password with this many places or fewer where it neither repeats the character before nor
#: goes on along a sequence is trivial (« qwerty123! » has 3: q, 1 and !).
MAX_TRIVIAL_STARTS = 3
#: Runs people type: the digits, the alphabet and the rows of QWERTY and AZERTY keyboards.
SEQUENCES = (
    "01234567890",
    "abcdefghijklmnopqrstuvwxyz",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "azertyuiop",
    "qsdfghjklm",
    "wxcvbn",
    "1qaz2wsx3edc4rfv5tgb",
)
#: Pairs of characters that follow each other, one way or the other, in one of the sequences.
_NEXT = frozenset(
    pair for seq in SEQUENCES for a, b in zip(seq, seq[1:], strict=False) for pair in (a + b, b + a)
)
#: Substitutions people make to dress up a common word (« p@ssw0rd »).
_LEET = str.maketrans("@401!3$57+", "aaoiiessst")
#: Names shorter than this are not looked for inside a password (« jo » is in too many words).
MIN_NAME_PART = 3
#: The file of common passwords, in the reference data folder.
COMMON_FILE = "common_passwords.txt"

_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_NOT_ALNUM = re.compile(r"[\W_]+")
_NOT_LETTER = re.compile(r"[^a-z]+")

TOO_SHORT = N_("Mot de passe trop court : {length} caractères (au moins {minimum}).")
TRIVIAL = N_(
    "Mot de passe trop prévisible : un caractère répété, une suite (« 1234567890 », "
    "« azertyuiop ») ou un même bout répété. Choisissez plutôt quelques mots sans lien "
    "entre eux."
)
COMMON = N_(
    "Mot de passe trop courant : à la casse, aux accents, aux chiffres et symboles près, il "
    "figure parmi les mots de passe les plus utilisés (« motdepasse », « soleil2024 »…). "
    "Choisissez plutôt quelques mots sans lien entre eux."
)
NAMED = N_(
    "Mot de passe trop proche du compte : il contient « {part} » (son nom, son adresse ou "
    "son nom affiché)."
)


def fold(text: str) -> str:
    """``text`` in lower case without accents (« Québec » → « quebec »)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _core(text: str) -> str:
    """The word a common password hides in ``text``: folded, digits and symbols at either
    end dropped, substitutions undone, letters only (« P@ssw0rd-2024! » → « password »)."""
    return _NOT_LETTER.sub("", _EDGES.sub("", fold(text)).translate(_LEET))


def load_common(path: Path) -> frozenset[str]:
    """The common passwords of ``path`` (one a line, ``#`` starts a comment), as compared."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        msg = f"La liste des mots de passe courants est illisible : {path} ({exc.strerror})."
        raise ConfigError(msg) from exc
    words = (line.partition("#")[0].strip() for line in lines)
    return frozenset(
        form for word in words if word for form in (_NOT_ALNUM.sub("", fold(word)), _core(word))
    ) - {""}


def _starts(folded: str) -> int:
    """Places in ``folded`` that neither repeat the character before nor follow it along a
    :data:`SEQUENCES` run."""
    return sum(
        1
        for i, c in enumerate(folded)
        if i == 0 or (c != folded[i - 1] and folded[i - 1] + c not in _NEXT)
    )


def _repeated(text: str) -> bool:
    """Whether ``text`` is one piece written twice or more (« abcabcabc »)."""
    return len(text) > 1 and (text + text).find(text, 1) < len(text)


def is_trivial(password: str) -> bool:
    """Whether ``password`` is a repetition or a run of a sequence, or few of them put end to
    end (see :data:`MAX_TRIVIAL_STARTS`)."""
    folded = fold(password)
    return _starts(folded) <= MAX_TRIVIAL_STARTS or _repeated(folded)


def is_common(password: str, common: frozenset[str]) -> bool:
    """Whether ``password`` is one of ``common``, give or take what :func:`_core` drops."""
    whole = _NOT_ALNUM.sub("", fold(password))
    core = _core(password)
    return whole in common or core in common or (_repeated(core) and _half(core) in common)


def _half(text: str) -> str:
    """The piece ``text`` repeats (« soleilsoleil » → « soleil »)."""
    return text[: (text + text).find(text, 1)]


def name_parts(names: Iterable[str]) -> list[str]:
    """What of an account's names a password must not hold: each name whole and its words
    (an e-mail address gives its local part and its domain's labels), folded, at least
    :data:`MIN_NAME_PART` long; longest first."""
    parts: set[str] = set()
    for name in names:
        pieces = [name, name.partition("@")[0], *re.split(r"[\s._@+-]+", name)]
        parts.update(_NOT_ALNUM.sub("", fold(piece)) for piece in pieces)
    return sorted((p for p in parts if len(p) >= MIN_NAME_PART), key=lambda p: (-len(p), p))


def problem(password: str, *, common: frozenset[str], names: Iterable[str] = ()) -> Message | None:
    """Why ``password`` may not be chosen, or None when it may."""
    if len(password) < MIN_PASSWORD:
        return tr(TOO_SHORT, length=len(password), minimum=MIN_PASSWORD)
    if is_trivial(password):
        return tr(TRIVIAL)
    if is_common(password, common):
        return tr(COMMON)
    folded = _NOT_ALNUM.sub("", fold(password))
    for part in name_parts(names):
        if part in folded:
            return tr(NAMED, part=part)
    return None


def check(password: str, *, common: frozenset[str], names: Iterable[str] = ()) -> None:
    """Raise :class:`InvalidInput` on the ``password`` field when ``password`` may not be
    chosen (see :func:`problem`, and no control character)."""
    found = problem(password, common=common, names=names)
    if found is not None:
        raise InvalidInput(found, field="password")
    check_plain_text(password, "password")
