"""The quick path of `check_email` for everyday addresses agrees with `email-validator`."""

from __future__ import annotations

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import given
from hypothesis import strategies as st

from tui_mutabakat.domain.email_check import _EVERYDAY, check_email

_LOCAL = st.from_regex(r"[A-Za-z0-9_%+-]{1,20}(\.[A-Za-z0-9_%+-]{1,10}){0,2}", fullmatch=True)
_LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True)
_TLD = st.sampled_from(["tr", "com", "net", "org", "de", "test", "local", "invalid", "io", "x"])


def _full(text: str) -> str | None:
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


@given(local=_LOCAL, labels=st.lists(_LABEL, min_size=1, max_size=4), tld=_TLD)
def test_what_the_quick_path_accepts_the_full_check_accepts_unchanged(
    local: str, labels: list[str], tld: str
) -> None:
    address = f"{local}@{'.'.join(labels)}.{tld}"
    quick = check_email(address)
    if _EVERYDAY.fullmatch(address) is None:
        return
    assert (quick.normalized, quick.ok) == (_full(address), _full(address) is not None)


@given(st.text(max_size=80))
def test_any_text_gets_the_same_verdict_as_the_full_check(text: str) -> None:
    quick = check_email(text)
    assert quick.normalized == (_full(text.strip()) if text.strip() else None)


@pytest.mark.parametrize(
    ("address", "normalized"),
    [
        ("ali.veli@firma.com.tr", "ali.veli@firma.com.tr"),
        ("Ali.Veli@Firma.COM.TR", "Ali.Veli@firma.com.tr"),
        ("a@xn--fiq228c.com", "a@中文.com"),
        ("a..b@firma.com", None),
        ("a@x-.com", None),
        ("a@firma.test", None),
        ("a@localhost", None),
        ("ali.deneme.com.tr", None),
        ("muhasebe@firma.c0m", "muhasebe@firma.c0m"),
    ],
)
def test_everyday_and_unusual_addresses(address: str, normalized: str | None) -> None:
    check = check_email(address)
    assert check.normalized == normalized and check.ok is (normalized is not None)
