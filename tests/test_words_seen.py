"""Every word a user sees is a word of the catalogue (issue 11.11), Textual's own included.

`tests/words_walk.py` walks the main screens (menu, help, command palette with and without a
match, accounts, card, send criteria with a dropdown open, send list, send dialog, progress,
tracking, letters, a letter's details) in one language, in a child process, and returns their
text. Each word there must be a word of that language's catalogue (the Turkish sources, or the
English translations), of the data the walk stored, or one of the few non-words below (key
names as Textual draws them, currency codes). "Dismiss menu", "Search for commands…", "No
matches found", "Plus", "agreed", "Boşluk" in English … each fails here.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from string import Formatter

import pytest
from babel.messages.pofile import read_po

from tui_mutabakat.i18n import LOCALE_DIR

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "tui_mutabakat" / "templates"
#: Words that are not language: key names as Textual's footer draws them, currency codes.
NON_WORDS = {"esc", "pgup", "pgdn", "tab", "ins", "del", "home", "end", "tl", "try", "usd", "eur"}
NON_WORDS |= {"gbp", "chf", "jpy", "eml"}
WORD = re.compile(r"[^\W\d_]{2,}")
#: English after a number that is not one: "1 accounts", "1 letters".
WRONG_PLURAL = re.compile(r"(?<![\d.,])\b1 (accounts|letters|rows|items|recipients|messages)\b")


#: A word drawn against the edge of something over or beside it (the footer's end, a dialog's
#: frame) may be cut: "Sipar▏". It counts when it is the start or the end of a known word.
EDGE = "▏▎▊█…"


def words(text: str) -> set[str]:
    return {w.lower() for w in WORD.findall(text)}


def unknown_words(text: str, known: set[str]) -> list[str]:
    found = set()
    for match in WORD.finditer(text):
        word = match.group().lower()
        if word in known:
            continue
        before = text[match.start() - 1] if match.start() else ""
        after = text[match.end()] if match.end() < len(text) else ""
        if after in EDGE and any(k.startswith(word) for k in known):
            continue
        if before in EDGE and any(k.endswith(word) for k in known):
            continue
        found.add(word)
    return sorted(found)


def catalogue_words(language: str) -> set[str]:
    with (LOCALE_DIR / "en" / "LC_MESSAGES" / "mutabakat.po").open("rb") as handle:
        catalog = read_po(handle)
    found: set[str] = set()
    for message in catalog:
        if not message.id:
            continue
        texts = message.id if language == "tr" else message.string
        for text in texts if isinstance(texts, tuple | list) else [texts]:
            # Placeholder names ({count}) are no words of the interface.
            found |= words(re.sub(r"\{[^}]*\}", " ", str(text)))
    return found


def walk(language: str, tmp_path: Path) -> tuple[set[str], dict[str, str]]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.words_walk", language, str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    # The letter's own text (its template) is the company's data, in the letter's language.
    letter = " ".join(p.read_text(encoding="utf-8") for p in TEMPLATES.glob("letter_tr.*"))
    return words(out["data"]) | words(letter), out["screens"]


@pytest.mark.parametrize("language", ["tr", "en"])
def test_every_word_on_the_main_screens_is_in_the_catalogue(language: str, tmp_path: Path) -> None:
    data, screens = walk(language, tmp_path)
    known = catalogue_words(language) | data | NON_WORDS
    assert "palette-no-match" in screens and "dropdown-open" in screens
    strangers = {
        name: unknown for name, text in screens.items() if (unknown := unknown_words(text, known))
    }
    assert not strangers, (
        f"words on the {language} screens that are not in the catalogue (use _() and "
        f"translate them; Textual's own: widgets/textual_words.py): {strangers}"
    )
    plural = {name: WRONG_PLURAL.findall(text) for name, text in screens.items()}
    assert not any(plural.values()), f"'1 …s' on screen: {plural}"
    if language == "tr":  # the walk saw Textual's own texts, in Turkish
        assert "Listeyi kapat" in screens["dropdown-open"]
        assert "Eşleşen komut yok" in screens["palette-no-match"]
    if language == "en":
        # The Turkish-only words are caught above; the English screens do say English things.
        assert "Main menu" in screens["main"] and "Selected: 1 account" in screens["send-list-one"]


def test_key_names_are_signs_not_english_words() -> None:
    from tui_mutabakat.screens.keys import key_label

    assert [key_label(k) for k in ("plus", "minus", "asterisk", "ctrl+x", "space")] == [
        "+",
        "-",
        "*",
        "Ctrl+X",
        "Boşluk",
    ]


def test_the_selection_names_rows_and_accounts_when_they_differ() -> None:
    from tui_mutabakat.screens.sending.send_rows import sums_text

    assert sums_text(3, []).startswith("Seçili: 3 hesap ")
    assert sums_text(540, [], 300).startswith("Seçili: 540 satır, 300 hesap")


@pytest.mark.parametrize(
    "address",
    ["a@[1.2.3.4]", "<a@b.com>", '"a"@x.com', "a\u200b@x.com", "a@x,y.com", "a@xn--ab.com"],
)
def test_an_email_address_is_refused_in_the_interface_language(address: str) -> None:
    from tui_mutabakat.domain.email_check import check_email

    reason = check_email(address).reason
    assert reason is not None
    english = {"the", "is", "not", "must", "character", "characters", "address", "domain"}
    assert not english & words(reason), reason
    assert words(reason) <= catalogue_words("tr") | words(address), reason


#: Count phrases that must stay plural messages (issue 11.11): an English "1 letters" comes
#: back the day one of them is turned into a plain _() again.
COUNT_PHRASES = [
    "{count} hesap",
    "{count} satır",
    "{count} mektup",
    "{count} yanıt",
    "{count} geri dönen mektup",
    "{letters} mektup gönderiliyor…",
    "{count} hesabın mektupları hazırlanıyor…",
    "{count} hesaba mektup gönderilmedi; F4: hata listesi.",
    "{count} mektup seçili",
    "İşlemler ({count} mektup)",
    "{count} mektup yeniden gönderiliyor.",
    "{count} alıcıya yeniden gönderiliyor.",
    "{count} alıcı teslim edilmiş sayıldı.",
    "{count} ileti okunamadı (gönderimler ekranında F8)",
    "Kanıt paketi yazıldı ({count} dosya): {path}",
    "{scope} · {count} sipariş",
    "{count} hareket",
    "{count} kalem, toplam {total}",
    "{count} satır · toplam {total}",
    "{path}: {count} satır yazıldı.",
    "{count} dosya yazıldı: {path}",
    "… ve {count} hata daha.",
    "… ve {count} hesap daha",
    "Vadesi geçmiş {count} kalem",
    "{count} mektup: {codes}",
]
ONE_THINGS = re.compile(r"(?<![\d.,])\b1 ([a-z]+s)\b")
TWO_THING = re.compile(
    r"(?<![\d.,])\b2 (account|letter|row|item|recipient|message|file|order|movement|line|"
    r"answer|error|day)\b"
)


#: The placeholder a plural message counts by, the first of these it holds.
COUNT_NAMES = ("count", "n", "letters", "rows", "total", "accounts", "answers", "gap", "days")


class _Counted(dict[str, object]):
    """Placeholders for a test format: the counted one `number`, every other one a word."""

    def __init__(self, text: str, number: int) -> None:
        super().__init__()
        fields = {name for _l, name, _s, _c in Formatter().parse(text) if name}
        self.counted = next((n for n in COUNT_NAMES if n in fields), "")
        self.number = number

    def __missing__(self, key: str) -> object:
        return self.number if key == self.counted else "x"


def _plural_messages() -> list[tuple[str, tuple[str, ...]]]:
    with (LOCALE_DIR / "en" / "LC_MESSAGES" / "mutabakat.po").open("rb") as handle:
        catalog = read_po(handle)
    return [
        (str(m.id[0]), tuple(str(s) for s in m.string))
        for m in catalog
        if isinstance(m.id, tuple | list)
    ]


def test_count_phrases_are_plural_messages() -> None:
    plural = {singular for singular, _forms in _plural_messages()}
    assert not [p for p in COUNT_PHRASES if p not in plural]


def test_no_english_count_says_1_things_or_2_thing() -> None:
    wrong = []
    for singular, (one, other) in _plural_messages():
        if ONE_THINGS.search(one.format_map(_Counted(singular, 1))):
            wrong.append((singular, one))
        if TWO_THING.search(other.format_map(_Counted(singular, 2))):
            wrong.append((singular, other))
    assert not wrong, wrong


def test_a_count_in_a_sentence_agrees_in_english() -> None:
    from tui_mutabakat.i18n import set_language
    from tui_mutabakat.services.sending.send_guard import nothing_left_message

    try:
        set_language("en")
        one, two = nothing_left_message(1), nothing_left_message(2)
    finally:
        set_language("tr")
    assert "1 selected account already has" in one and "All 2 selected accounts" in two
    assert nothing_left_message(1).startswith("Seçilen 1 hesabın")
