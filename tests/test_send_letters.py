"""Letters from templates (SPEC D8), their MIME message (D9) and the SMTP password (A2)."""

from __future__ import annotations

import email
import email.policy
import os
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.send_data import add_account, add_company, add_movement, configure_sender, write_batch
from tui_mutabakat.data.outbox_models import LetterTemplate
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.formatting import format_amount, format_day
from tui_mutabakat.mail.message import (
    TOKEN_PATTERN,
    Attachment,
    OutgoingLetter,
    build_message,
    clean_header,
    new_message_id,
    new_token,
)
from tui_mutabakat.mail.secrets import SecretError, resolve_secret
from tui_mutabakat.mail.templates import (
    AccountInfo,
    CompanyInfo,
    CurrencyBalance,
    LetterFacts,
    LetterRenderer,
    LetterTemplateError,
    TemplateSource,
    fast_amount,
    fast_day,
    letter_context,
    shipped_template,
)
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.sending.compose import SendOptions, preview_letter

FACTS = LetterFacts(
    company=CompanyInfo("Örnek Ticaret A.Ş.", "Kadıköy", "1234567890", "Moda Cad. 1", "İstanbul"),
    account=AccountInfo("120.001", "Alfa <script>alert(1)</script> Ltd"),
    balances=(CurrencyBalance("TRY", Decimal("0"), Decimal("1234.56"), Decimal("-1234.56")),),
    as_of=date(2026, 12, 31),
    answer_by=date(2027, 1, 30),
    token="MTB-0123456789AB",
    title="",
    sender_name="Ayşe Muhasebe",
    sender_email="ayse@ornek.com.tr",
)


def test_shipped_turkish_letter_has_the_customary_wording() -> None:
    letter = LetterRenderer(shipped_template("letter_tr")).render(letter_context(FACTS, "tr"))
    assert letter.subject == "Cari hesap mutabakatı - 31.12.2026 - Örnek Ticaret A.Ş."
    text = " ".join(letter.text.split())
    assert "cari hesabınız 31.12.2026 tarihi itibarıyla 1.234,56 TL alacak bakiyesi" in text
    assert '"MUTABIKIZ"' in text and '"MUTABIK DEĞİLİZ"' in text
    assert "30.01.2027 tarihine kadar" in text and "MTB-0123456789AB" in text
    assert "Hata ve unutma müstesnadır." in text and "Vergi No: 1234567890" in text
    # The HTML part escapes what came from the database; the text part does not need to.
    assert "&lt;script&gt;" in letter.html and "<script>" not in letter.html
    assert "Alfa <script>" in letter.text


@pytest.mark.parametrize(
    ("name", "tax_line"), [("letter_tr", "Vergi Dairesi:"), ("letter_en", "Tax office:")]
)
def test_company_address_and_tax_office_stand_on_their_own_lines(name: str, tax_line: str) -> None:
    language = name.removeprefix("letter_")
    lines = LetterRenderer(shipped_template(name)).render(letter_context(FACTS, language)).text
    head = lines.splitlines()[:3]
    assert head[0] == "Örnek Ticaret A.Ş."
    assert head[1] == "Moda Cad. 1 İstanbul"
    assert head[2].startswith(tax_line)


def test_english_letter() -> None:
    letter = LetterRenderer(shipped_template("letter_en")).render(letter_context(FACTS, "en"))
    assert "shows a credit balance of 1.234,56 TL" in " ".join(letter.text.split())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sayın {{ account.unvan }}", "tanımsız alan 'unvan'"),
        ("{{ nope }}", "tanımsız alan 'nope'"),
        ("{% if %}", "satır 1"),
        ("{{ ''.__class__.__mro__ }}", "Şablon hatası"),
    ],
)
def test_a_template_error_is_reported_not_rendered(text: str, expected: str) -> None:
    source = TemplateSource("mine", "tr", "Konu", text, "", shipped=False)
    with pytest.raises(LetterTemplateError, match=expected):
        LetterRenderer(source).render(letter_context(FACTS, "tr"))


def test_a_user_template_with_a_missing_field_skips_every_account_with_the_reason(
    database: Database, actor: Actor
) -> None:
    with database.unit_of_work() as session:
        add_company(session)
        configure_sender(session, actor.login)
        account = add_account(session, "120.001", "Alfa", emails=("a@alfa.com.tr",))
        add_movement(session, account, date(2026, 1, 1), debit="10")
        session.add(
            LetterTemplate(
                name="ozel",
                subject="Mutabakat {{ as_of }}",
                text_body="Sayın {{ account.yetkili }}",
                html_body="",
            )
        )
        session.flush()
        preview = preview_letter(
            session, actor, date(2026, 12, 31), (account.id, "TRY"), SendOptions(template="ozel")
        )
    created = write_batch(
        database, actor, date(2026, 12, 31), [(account.id, "TRY")], SendOptions(template="ozel")
    )
    assert preview.problems == ("Şablon hatası (düz metin): tanımsız alan 'yetkili'.",)
    assert created.letters == 0
    assert [s.reason for s in created.skipped] == list(preview.problems)


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False))
def test_fast_amount_matches_babel(value: Decimal) -> None:
    assert fast_amount(value) == format_amount(value)


@given(st.dates())
def test_fast_day_matches_babel(value: date) -> None:
    assert fast_day(value) == format_day(value)


def test_tokens_and_message_ids_are_unique() -> None:
    tokens = {new_token() for _ in range(5000)}
    assert len(tokens) == 5000 and all(TOKEN_PATTERN.fullmatch(t) for t in tokens)
    assert len({new_message_id(t, "a@ornek.com.tr") for t in tokens}) == 5000


@pytest.mark.parametrize(
    "evil",
    [
        "Mutabakat\r\nBcc: x@evil.example",
        "Mutabakat\nBcc: x@evil.example",
        "Mutabakat\rBcc: x@evil.example",
        "Mütabakat\u2028Bcc: x@evil.example",
        "Mutabakat\r\n\r\nbody injection",
    ],
)
def test_no_header_can_be_injected(evil: str) -> None:
    letter = OutgoingLetter(
        from_address="a@ornek.com.tr",
        from_name=evil,
        to=((evil, "b@firma.com.tr"),),
        subject=evil,
        text="metin",
        html="",
        token="MTB-0123456789AB",
        message_id="<x@ornek.com.tr>",
        date=datetime(2026, 12, 31, tzinfo=UTC),
    )
    raw = build_message(letter)
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Bcc"] is None
    assert [k.lower() for k in message.keys()] == [
        "content-type",
        "mime-version",
        "from",
        "to",
        "subject",
        "date",
        "message-id",
        "x-mutabakat-token",
        "auto-submitted",
    ]
    assert message.get_body(("plain",)).get_content() == "metin"


def test_password_from_environment_file_and_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MUTABAKAT_TEST_PASS", "gizli-1")
    secret = resolve_secret("env:MUTABAKAT_TEST_PASS")
    assert secret is not None and secret.reveal() == "gizli-1"
    assert "gizli" not in repr(secret) and "gizli" not in str(secret)
    path = tmp_path / "smtp.pass"
    path.write_text("gizli-2\nignored\n", encoding="utf-8")
    os.chmod(path, 0o600)
    found = resolve_secret(f"file:{path}")
    assert found is not None and found.reveal() == "gizli-2"
    os.chmod(path, 0o644)
    with pytest.raises(SecretError, match="chmod 600") as refused:
        resolve_secret(f"file:{path}")
    assert "gizli" not in str(refused.value)
    command = resolve_secret("cmd:printf 'gizli-3\\n'")
    assert command is not None and command.reveal() == "gizli-3"
    with pytest.raises(SecretError, match="çıkış kodu 3"):
        resolve_secret("cmd:echo gizli-4; exit 3")
    with pytest.raises(SecretError, match="tanımlı değil"):
        resolve_secret("env:MUTABAKAT_NO_SUCH_VARIABLE")
    with pytest.raises(SecretError):
        resolve_secret("plain-password-in-the-database")
    assert resolve_secret("") is None


def test_template_editor_saves_and_previews_on_a_real_account(
    database: Database, actor: Actor
) -> None:
    from tui_mutabakat.domain.errors import InvalidInput
    from tui_mutabakat.services.sending.letters import save_template, template_choices

    with database.unit_of_work() as session:
        add_company(session)
        configure_sender(session, actor.login)
        account = add_account(session, "120.001", "Alfa", emails=("a@alfa.com.tr",))
        add_movement(session, account, date(2026, 1, 1), debit="2500")
        key = (account.id, "TRY")
        draft = TemplateSource(
            "kisa", "tr", "Mutabakat {{ as_of }}", "{{ account.title }}: {{ balance.text }}", ""
        )
        live = preview_letter(session, actor, date(2026, 12, 31), key, SendOptions(), source=draft)
        assert live.text == "Alfa: 2.500,00 TL" and live.to == ("a@alfa.com.tr",)
        assert live.subject.startswith("Mutabakat 31.12.2026 [MTB-")
        broken = TemplateSource("kisa", "tr", "x", "{% for %}", "")
        with pytest.raises(InvalidInput, match="Şablon hatası"):
            save_template(session, actor, broken)
        save_template(session, actor, draft, "Kısa mektup")
        assert ("kisa", "Kısa mektup") in template_choices(session)
        saved = preview_letter(
            session, actor, date(2026, 12, 31), key, SendOptions(template="kisa")
        )
    assert saved.text == live.text


_PRINTABLE = st.characters(blacklist_categories=("Cs",))


@given(
    subject=st.text(_PRINTABLE, max_size=300),
    name=st.text(_PRINTABLE, max_size=80),
    text=st.text(_PRINTABLE, max_size=3000),
    html=st.text(_PRINTABLE, max_size=500),
    attached=st.binary(max_size=500),
)
def test_every_message_reads_back_as_it_was_written(
    subject: str, name: str, text: str, html: str, attached: bytes
) -> None:
    letter = OutgoingLetter(
        from_address="a@ornek.com.tr",
        from_name=name,
        to=((name, "b@firma.com.tr"), ("Çağrı", "c@firma.com.tr")),
        subject=subject,
        text=text,
        html=html,
        token="MTB-0123456789AB",
        message_id="<x@ornek.com.tr>",
        date=datetime(2026, 12, 31, tzinfo=UTC),
        attachment=Attachment("ekstre 120.01.csv", attached) if attached else None,
    )
    raw = build_message(letter)
    assert raw.isascii() and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert not [part.defects for part in message.walk() if part.defects]
    assert " ".join(str(message["Subject"]).split()) == " ".join(
        f"{clean_header(subject)} [MTB-0123456789AB]".split()
    )
    assert [a.addr_spec for a in message["To"].addresses] == ["b@firma.com.tr", "c@firma.com.tr"]
    assert message.get_body(("plain",)).get_payload(decode=True) == text.encode("utf-8")
    if html:
        assert message.get_body(("html",)).get_payload(decode=True) == html.encode("utf-8")
    files = list(message.iter_attachments())
    assert [p.get_payload(decode=True) for p in files] == ([attached] if attached else [])
    if attached:
        assert files[0].get_filename() == "ekstre_120.01.csv"


@pytest.mark.parametrize(
    ("full_name", "signer"),
    [("", "Örnek Ticaret A.Ş."), ("root", "Örnek Ticaret A.Ş."), ("Ayşe Yılmaz", "Ayşe Yılmaz")],
)
def test_a_letter_is_signed_by_the_users_name_else_the_company_never_the_login(
    database: Database, full_name: str, signer: str
) -> None:
    """A user made on first sight (here `root`) has no name of their own: the letter is
    signed with the company's name, not the login (nor when an older database stored the
    login as the name); with a full name, with that."""
    from sqlalchemy import select

    from tui_mutabakat.data.models import User
    from tui_mutabakat.data.outbox_models import LetterMessage
    from tui_mutabakat.services.context import resolve_actor

    with database.unit_of_work() as session:
        root = resolve_actor(session, "root")
        add_company(session)
        user = session.scalars(select(User).where(User.login == "root")).one()
        assert (user.full_name, user.display_name) == ("", "")
        user.full_name = full_name
        account = add_account(session, "120.001", "Alfa", emails=("a@alfa.com.tr",))
        add_movement(session, account, date(2026, 1, 1), debit="2500")
        key = (account.id, "TRY")
    write_batch(database, root, date(2026, 12, 31), [key], SendOptions())
    with database.reader() as session:
        raw = session.scalars(select(LetterMessage.message)).one()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    sender = message["From"].addresses[0]
    assert (sender.display_name, sender.addr_spec) == (signer, "muhasebe@ornek.com.tr")
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "root" not in text and "root" not in message["From"]
    signature = text.split("Saygılarımızla,\n", 1)[1].splitlines()
    assert signature[:2] == (
        ["Örnek Ticaret A.Ş.", "muhasebe@ornek.com.tr"]
        if signer == "Örnek Ticaret A.Ş."
        else [signer, "Örnek Ticaret A.Ş."]
    )
