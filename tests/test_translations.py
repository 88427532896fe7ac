"""Both catalogs are complete and compiled, so a fresh machine needs no gettext."""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
ENTRY = re.compile(r'^msgid "(.*)"$')


def _po_entries(po_path: Path):
    """(msgid, translations, fuzzy) for each entry except the header; enough of the PO
    grammar for the files makemessages writes."""
    entries, current, fuzzy, field, context = [], None, False, None, None
    for line in [*po_path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("msgctxt "):
            context = _unquote(line[8:])
        elif line.startswith("msgid "):
            prefix = f"{context}\x04" if context else ""
            current = {"msgid": prefix + _unquote(line[6:]), "msgstr": [], "fuzzy": fuzzy}
            field = "msgid"
        elif line.startswith("msgid_plural "):
            field = "plural"
        elif line.startswith("msgstr"):
            current["msgstr"].append(_unquote(line.split(" ", 1)[1]))
            field = "msgstr"
        elif line.startswith('"') and current is not None:
            if field == "msgid":
                current["msgid"] += _unquote(line)
            elif field == "msgstr":
                current["msgstr"][-1] += _unquote(line)
        elif not line.strip() and current is not None:
            if current["msgid"]:
                entries.append(current)
            current, fuzzy, field, context = None, False, None, None
    return entries


def _unquote(text: str) -> str:
    return text.strip()[1:-1]


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_every_message_is_translated_and_none_is_fuzzy(language):
    entries = _po_entries(LOCALE / language / "LC_MESSAGES" / "django.po")
    assert len(entries) > 100
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"])]
    fuzzy = [e["msgid"] for e in entries if e["fuzzy"]]
    assert untranslated == [], f"untranslated in {language}"
    assert fuzzy == [], f"fuzzy in {language}"


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_the_compiled_catalog_matches_its_source(language):
    folder = LOCALE / language / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)
    entries = _po_entries(folder / "django.po")
    singular_ids = {e["msgid"].replace('\\"', '"').replace("\\n", "\n") for e in entries}
    compiled_ids = {key if isinstance(key, str) else key[0] for key in catalog._catalog if key}
    assert singular_ids - compiled_ids == set(), "run `make messages` to recompile"
