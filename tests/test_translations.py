"""Every interface text has its English translation, and the compiled catalogue is current."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "mapservice" / "translations" / "en" / "LC_MESSAGES"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "_l": None,
    "tr": None,
    "ntr": (1, 2),
    "N_": None,
}


def _source_messages(keywords: dict = KEYWORDS) -> set[str]:
    method_map = [("mapservice/**.py", "python"), ("mapservice/web/templates/**.html", "jinja2")]
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=method_map, keywords=keywords
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_interface_text_is_translated_into_english():
    with (CATALOGUE / "messages.po").open("rb") as fh:
        catalogue = read_po(fh, locale="en")

    def untranslated(message: str) -> bool:
        if message not in catalogue or catalogue[message].fuzzy:
            return True
        strings = catalogue[message].string
        return not all(strings if isinstance(strings, tuple) else (strings,))

    missing = sorted(m for m in _source_messages() if untranslated(m))
    assert missing == [], f"{len(missing)} untranslated (run `make translations`): {missing[:10]}"


def test_make_translations_would_keep_every_entry_of_the_catalogue():
    """An entry added by hand that extraction cannot find turns obsolete on the next
    ``make translations``, and the text it translated is said in French again."""
    from mapservice.web.babel_extract import quality_labels, rule_notes

    with (CATALOGUE / "messages.po").open("rb") as fh:
        active = {_plain(m.id) for m in read_po(fh, locale="en") if m.id}
    found = {m for m in _source_messages()}
    with (ROOT / "data" / "materials" / "qualities.csv").open("rb") as fh:
        found |= {message for _line, _f, message, _c in quality_labels(fh, None, None, None)}
    with (ROOT / "data" / "materials" / "compatibility.csv").open("rb") as fh:
        found |= {message for _line, _f, message, _c in rule_notes(fh, None, None, None)}
    lost = sorted(str(m) for m in active if (m[0] if isinstance(m, tuple) else m) not in found)
    assert lost == [], f"{len(lost)} entries make translations would drop: {lost[:10]}"


def _plain(value):
    """Plural ids and strings come back as lists from one reader, tuples from the other."""
    return tuple(value) if isinstance(value, list | tuple) else value


def test_the_compiled_catalogue_matches_the_po_file():
    with (CATALOGUE / "messages.po").open("rb") as fh:
        po = {
            _plain(m.id): _plain(m.string) for m in read_po(fh, locale="en") if m.id and not m.fuzzy
        }
    with (CATALOGUE / "messages.mo").open("rb") as fh:
        mo = {_plain(m.id): _plain(m.string) for m in read_mo(fh) if m.id}
    assert mo == po, "messages.mo is stale: run `make translations`"


def test_placeholders_survive_translation():
    import re

    with (CATALOGUE / "messages.po").open("rb") as fh:
        catalogue = read_po(fh, locale="en")
    wrong = []
    for message in catalogue:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(re.findall(r"%\(\w+\)s", ids[0]))
        if any(set(re.findall(r"%\(\w+\)s", s)) != wanted for s in strings):
            wrong.append(ids[0])
    assert wrong == []


def _fields(template: str) -> set[tuple[str, str, str]]:
    """The placeholders of a ``str.format`` template: name, conversion and format spec."""
    import string

    return set(
        (name, conversion or "", spec or "")
        for _text, name, spec, conversion in string.Formatter().parse(template)
        if name is not None
    )


def test_every_error_template_has_an_english_translation_with_the_same_placeholders():
    """The core's messages (``tr("…{name}…", name=…)``, see mapservice.errors): each has its
    English, which names the same parameters and fills in as the French does."""
    from mapservice.errors import Message

    templates = _source_messages({"tr": None})
    assert len(templates) > 200  # the import, API, form and storage messages, at least
    with (CATALOGUE / "messages.po").open("rb") as fh:
        catalogue = read_po(fh, locale="en")
    missing, wrong = [], []
    for template in sorted(templates):
        found = catalogue.get(template)
        if found is None or not found.string or found.fuzzy:
            missing.append(template)
        elif _fields(found.string) != _fields(template):
            wrong.append(template)
    assert missing == [] and wrong == []
    # and each says itself in English through the compiled catalogue
    import gettext

    english = gettext.translation("messages", str(CATALOGUE.parent.parent), languages=["en"])
    sample = Message("Aucun site n'a l'identifiant {site_id}.", {"site_id": 4})
    assert sample.render(english.gettext) == "No site has the id 4."


CLICK = ROOT / "mapservice" / "translations" / "fr" / "LC_MESSAGES"


def test_clicks_french_catalogue_is_compiled_and_keeps_its_placeholders():
    import re

    with (CLICK / "click.po").open("rb") as fh:
        po = [
            m
            for m in read_po(fh)
            if m.id
            and not m.fuzzy
            and all(m.string if isinstance(m.string, tuple) else (m.string,))
        ]
    with (CLICK / "click.mo").open("rb") as fh:
        mo = {_plain(m.id): _plain(m.string) for m in read_mo(fh) if m.id}
    assert mo == {_plain(m.id): _plain(m.string) for m in po}, (
        "click.mo is stale: run `make translations`"
    )
    for message in po:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            if text:
                assert set(re.findall(r"\{\w+(?:!r)?\}", text)) <= set(
                    re.findall(r"\{\w+(?:!r)?\}", "".join(ids))
                ), ids[0]


def test_clicks_french_catalogue_follows_the_installed_click():
    """Extracted from click 8.x: each string the CLI shows is still one click asks for."""
    import click

    with (CLICK / "click.po").open("rb") as fh:
        ours = {_plain(m.id) for m in read_po(fh) if m.id and m.string}
    asked = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(Path(click.__file__).parent), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        asked.add(_plain(message))
    shown = {
        "Error: {message}",
        "Usage:",
        "Try '{command} {option}' for help.",
        "Invalid value for {param_hint}: {message}",
        "No such command {name!r}.",
        "Show this message and exit.",
        "Commands",
        "Options",
        "{value} is not in the range {range}.",
    }
    assert shown <= ours & asked
    dynamic = {"required"}  # looked up from a variable: extraction cannot see it
    assert ours - asked == dynamic, "strings click no longer asks for: re-extract click.po"
