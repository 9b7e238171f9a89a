"""Every word the page scripts say has its Korean: the catalogue is kept by hand (makemessages reorders it), and a
missing entry shows English on the Korean page."""

import gettext
import re
from pathlib import Path

from django.conf import settings

SCRIPTS = Path(settings.BASE_DIR) / "gallery" / "static" / "gallery"
CATALOGUE = Path(settings.BASE_DIR) / "locale" / "ko" / "LC_MESSAGES" / "djangojs.mo"
# gettext("...") and ngettext("...", "...", n), the strings as JavaScript writes them (double quotes, no escapes in
# ours), possibly broken over lines.
GETTEXT = re.compile(r'\bgettext\(\s*"((?:[^"\\]|\\.)*)"\s*\)')
NGETTEXT = re.compile(r'\bngettext\(\s*"((?:[^"\\]|\\.)*)"\s*,\s*"((?:[^"\\]|\\.)*)"')


def script_words() -> set[tuple[str, str | None]]:
    words: set[tuple[str, str | None]] = set()
    for script in SCRIPTS.glob("*.js"):
        text = script.read_text()
        words |= {(match.group(1), None) for match in GETTEXT.finditer(text)}
        words |= {(match.group(1), match.group(2)) for match in NGETTEXT.finditer(text)}
    return words


def test_every_script_word_has_its_korean() -> None:
    with CATALOGUE.open("rb") as file:
        korean = gettext.GNUTranslations(file)
    words = script_words()
    assert len(words) > 100  # the pattern still finds the scripts' words
    missing = sorted(singular for singular, plural in words
                     if (korean.gettext(singular) if plural is None else korean.ngettext(singular, plural, 2))
                     in (singular, plural))
    assert missing == []
