"""A label says what it is about: never "Değil" alone (not what?), never a sign like "@" for
a column title."""

from __future__ import annotations

import re
from pathlib import Path

from tui_mutabakat.screens.sending.send_rows import balance_columns
from tui_mutabakat.screens.tracking.batch_rows import count_labels

SOURCE = Path(__file__).resolve().parents[1] / "tui_mutabakat"


def test_no_bare_negation_is_a_label() -> None:
    bare = re.compile(r"""_\(\s*["']Değil["']\s*\)""")
    found = [
        str(path.relative_to(SOURCE))
        for path in SOURCE.rglob("*.py")
        if bare.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []
    assert count_labels()["disagreed"] == "Mutabık değil"


def test_send_list_column_titles_are_words() -> None:
    titles = [column.title for column in balance_columns()]
    assert "@" not in titles and "Posta" in titles
