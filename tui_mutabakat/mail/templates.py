"""Letters from Jinja2 templates (SPEC D8).

Shipped templates are files in `tui_mutabakat/templates/` (`letter_tr`, `letter_en`, each a
`.txt` and an `.html`); a user's edited copy lives in the database under the same or a new
name. Every template, shipped or edited, renders in Jinja2's sandbox with `StrictUndefined`
(a missing field is an error, reported and never sent); the HTML part is autoescaped. The
sandbox is `mail/sandbox.py`'s: limits on time, output size, ranges, powers and formats, and
any error at all — compiling or rendering — comes out as `LetterTemplateError`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, meta
from jinja2 import TemplateError as JinjaTemplateError
from jinja2.sandbox import SandboxedEnvironment

from tui_mutabakat.domain.formatting import currency_label
from tui_mutabakat.domain.text import address_line
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.mail.letter_words import SIDE_WORDS, doc_type_words, words
from tui_mutabakat.mail.sandbox import (
    MAX_OUTPUT,
    RENDER_SECONDS,
    LimitedEnvironment,
    TemplateFailed,
    TemplateLimitError,
    render_limited,
)

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"

#: Shipped template name → language.
SHIPPED_TEMPLATES: dict[str, str] = {"letter_tr": "tr", "letter_en": "en"}

DEFAULT_SUBJECTS: dict[str, str] = {
    "tr": "Cari hesap mutabakatı - {{ as_of }} - {{ company.title }}",
    "en": "Account balance confirmation - {{ as_of }} - {{ company.title }}",
}

#: The fields a template may use, for the template editor's "add field" list.
TEMPLATE_FIELDS: tuple[tuple[str, str], ...] = (
    ("company.title", "Firmanın ünvanı"),
    ("company.address", "Firma adresi"),
    ("company.city", "Firma şehri"),
    ("company.address_line", "Firma adresi ve şehri (adres şehirle bitiyorsa bir kez)"),
    ("company.tax_office", "Firma vergi dairesi"),
    ("company.tax_number", "Firma vergi numarası"),
    ("company.phone", "Firma telefonu"),
    ("company.email", "Firma e-postası"),
    ("company.logo_text", "Logo metni"),
    ("account.code", "Cari hesap kodu"),
    ("account.title", "Cari hesap ünvanı"),
    ("account.tax_number", "Cari vergi numarası"),
    ("account.tax_office", "Cari vergi dairesi"),
    ("account.address", "Cari adresi"),
    ("account.city", "Cari şehri"),
    ("account.address_line", "Cari adresi ve şehri (adres şehirle bitiyorsa bir kez)"),
    ("balance.text", "Bakiye, para birimiyle (1.234,56 TL)"),
    ("balance.amount", "Bakiye tutarı (1.234,56)"),
    ("balance.side", "Bakiye yönü (B/A)"),
    ("balance.side_text", "Bakiye yönü (borç/alacak)"),
    ("balance.currency", "Para birimi kodu"),
    ("balance.debit_total", "Toplam borç"),
    ("balance.credit_total", "Toplam alacak"),
    ("balance.is_zero", "Bakiye sıfır mı"),
    ("balances", "Her para biriminin bakiyesi (balance gibi alanlarla, open_items ile)"),
    ("multi_currency", "Mektupta birden çok para birimi var mı"),
    ("show_open_items", "Açık kalemler gösterilecek mi"),
    ("as_of", "Mutabakat tarihi"),
    ("answer_by", "Geçerlilik (yanıt) tarihi"),
    ("title", "Mutabakat başlığı"),
    ("token", "Yanıt referansı"),
    ("sender.name", "Gönderenin adı"),
    ("sender.email", "Gönderenin e-postası"),
    ("open_items", "Kapanmamış hareketler listesi"),
    ("attachment_name", "Ekstre ekinin dosya adı"),
    ("answer_url", "Yanıt sayfasının bağlantısı (yanıt sayfası açıksa)"),
)


class LetterTemplateError(Exception):
    """A template that cannot be compiled or rendered; the message is for the user."""


@dataclass(frozen=True, slots=True)
class TemplateSource:
    name: str
    language: str
    subject: str
    text: str
    html: str
    shipped: bool = True


@dataclass(frozen=True, slots=True)
class CompanyInfo:
    title: str
    tax_office: str = ""
    tax_number: str = ""
    address: str = ""
    city: str = ""
    phone: str = ""
    email: str = ""
    logo_text: str = ""


@dataclass(frozen=True, slots=True)
class AccountInfo:
    code: str
    title: str
    tax_number: str = ""
    tax_office: str = ""
    address: str = ""
    city: str = ""


@dataclass(frozen=True, slots=True)
class OpenItemLine:
    """An open item as a letter lists it (the rules weigh a movement as `rules.OpenItem`)."""

    date: dt.date
    doc_no: str
    description: str
    due_date: dt.date | None
    debit: Decimal
    credit: Decimal
    #: What is still unsettled of the movement.
    open_amount: Decimal
    #: The `DocumentType` value; the letter shows it in words of its language.
    doc_type: str = ""
    currency: str = ""


@dataclass(frozen=True, slots=True)
class StatementLine:
    """A movement on the statement, with the balance after it (debit positive)."""

    date: dt.date
    doc_type: str
    doc_no: str
    description: str
    debit: Decimal
    credit: Decimal
    balance: Decimal


@dataclass(frozen=True, slots=True)
class CurrencyBalance:
    """The balance of one currency in a letter, and the items open in it."""

    currency: str
    debit_total: Decimal
    credit_total: Decimal
    #: Debit minus credit; positive: the counterparty owes us (B).
    balance: Decimal
    open_items: tuple[OpenItemLine, ...] = ()

    @property
    def items_total(self) -> Decimal:
        """Open debit items less open credit items (signed like `balance`)."""
        return sum(
            (i.open_amount if i.debit > 0 else -i.open_amount for i in self.open_items),
            Decimal("0"),
        )


@dataclass(frozen=True, slots=True)
class LetterFacts:
    """Everything one letter says, before formatting."""

    company: CompanyInfo
    account: AccountInfo
    #: One per currency, the letter's main currency first.
    balances: tuple[CurrencyBalance, ...]
    as_of: date
    answer_by: date
    token: str
    title: str
    sender_name: str
    sender_email: str
    show_open_items: bool = False
    attachment_name: str = ""
    #: The letter's link to the answer page ("" when the portal is off).
    answer_url: str = ""


@dataclass(frozen=True, slots=True)
class RenderedLetter:
    subject: str
    text: str
    html: str


def sample_facts(language: str = "tr") -> LetterFacts:
    """A made-up letter every template must render before it is saved: two currencies, open
    items and an attachment name, so a template that lists them is tried too."""
    day = date(2026, 12, 31)
    items = tuple(
        OpenItemLine(
            date=date(2026, 11, n),
            doc_no=f"A-{n:04d}",
            description="Örnek fatura" if language == "tr" else "Sample invoice",
            due_date=date(2026, 12, n),
            debit=Decimal("1250.50"),
            credit=Decimal("0"),
            open_amount=Decimal("1250.50"),
            doc_type="sales_invoice",
            currency="TRY",
        )
        for n in (3, 17)
    )
    return LetterFacts(
        company=CompanyInfo(title="Örnek Ticaret A.Ş.", tax_number="1234567890", city="İstanbul"),
        account=AccountInfo(code="120.001", title="Örnek Müşteri Ltd. Şti.", city="Ankara"),
        balances=(
            CurrencyBalance(
                currency="TRY",
                debit_total=Decimal("2501.00"),
                credit_total=Decimal("0"),
                balance=Decimal("2501.00"),
                open_items=items,
            ),
            CurrencyBalance(
                currency="USD",
                debit_total=Decimal("0"),
                credit_total=Decimal("310.25"),
                balance=Decimal("-310.25"),
            ),
        ),
        as_of=day,
        answer_by=date(2027, 1, 15),
        token="MTB-ORNEK0000000",
        title="Mutabakat",
        sender_name="Muhasebe",
        sender_email="muhasebe@ornek.com.tr",
        show_open_items=True,
        attachment_name="ekstre.csv",
        answer_url="https://mutabakat.ornek.com.tr/m/ORNEK",
    )


def shipped_template(name: str) -> TemplateSource:
    language = SHIPPED_TEMPLATES.get(name)
    if language is None:
        raise LetterTemplateError(_("Şablon bulunamadı: {name}").format(name=name))
    return TemplateSource(
        name=name,
        language=language,
        subject=DEFAULT_SUBJECTS[language],
        text=(TEMPLATE_DIR / f"{name}.txt").read_text(encoding="utf-8"),
        html=(TEMPLATE_DIR / f"{name}.html").read_text(encoding="utf-8"),
        shipped=True,
    )


def side_of(balance: Decimal) -> str:
    if balance > 0:
        return "B"
    if balance < 0:
        return "A"
    return ""


def letter_context(facts: LetterFacts, language: str) -> dict[str, Any]:
    """The values a template sees: formatted the Turkish way (`1.234,56 TL`, `31.12.2026`).

    `balances` lists every currency; `balance` is the first (all a one-currency template
    needs); `open_items` are the items of every currency, each naming its currency."""
    balances = [_balance_context(b, language, facts.show_open_items) for b in facts.balances]
    return {
        "company": _as_dict(facts.company),
        "account": _as_dict(facts.account),
        "balance": balances[0] if balances else _balance_context(None, language, False),
        "balances": balances,
        "multi_currency": len(balances) > 1,
        "show_open_items": facts.show_open_items,
        "as_of": fast_day(facts.as_of),
        "answer_by": fast_day(facts.answer_by),
        "token": facts.token,
        "title": facts.title,
        "sender": {"name": facts.sender_name, "email": facts.sender_email},
        "open_items": [item for b in balances for item in b["open_items"]],
        "attachment_name": facts.attachment_name,
        "answer_url": facts.answer_url,
    }


def _balance_context(
    value: CurrencyBalance | None, language: str, with_items: bool
) -> dict[str, Any]:
    side_words = words(SIDE_WORDS, language)
    if value is None:
        value = CurrencyBalance("TRY", Decimal("0"), Decimal("0"), Decimal("0"))
    side = side_of(value.balance)
    currency = value.currency
    items = value.open_items if with_items else ()
    difference = value.balance - value.items_total if with_items else Decimal("0")
    return {
        "amount": fast_amount(abs(value.balance)),
        "text": fast_money(abs(value.balance), currency),
        "signed": fast_amount(value.balance),
        "side": side,
        "side_text": side_words[side],
        "currency": currency,
        "currency_label": currency_label(currency),
        "debit_total": fast_money(value.debit_total, currency),
        "credit_total": fast_money(value.credit_total, currency),
        "is_zero": side == "",
        "open_items": [_item_context(item, currency, language) for item in items],
        # What the items do not explain (movements settled before matches were recorded):
        # shown on a line of its own, so the items and this line add up to the balance.
        "has_difference": difference != 0,
        "difference": {
            "amount": fast_amount(abs(difference)),
            "text": fast_money(abs(difference), currency),
            "side": side_of(difference),
            "side_text": side_words[side_of(difference)],
        },
    }


def _item_context(item: OpenItemLine, currency: str, language: str) -> dict[str, str]:
    return {
        "date": fast_day(item.date),
        "doc_no": item.doc_no,
        "doc_type": doc_type_words(item.doc_type, language),
        "description": item.description,
        "due_date": fast_day(item.due_date),
        "debit": fast_amount(item.debit),
        "credit": fast_amount(item.credit),
        "open": fast_amount(item.open_amount),
        "side": "B" if item.debit > 0 else "A",
        "currency": item.currency or currency,
        "currency_label": currency_label(item.currency or currency),
    }


def fast_amount(value: Decimal | None) -> str:
    """`format_amount` without Babel: the same `1.234.567,89`, about twenty times faster
    (a batch formats several amounts for each of thousands of letters)."""
    if value is None:
        return ""
    return f"{value:,.2f}".translate(_SWAP_SEPARATORS)


def fast_money(value: Decimal | None, currency: str = "TRY") -> str:
    if value is None:
        return ""
    return f"{fast_amount(value)} {currency_label(currency)}"


def fast_day(value: date | None) -> str:
    """`format_day` without Babel: `31.12.2026`."""
    if value is None:
        return ""
    return f"{value.day:02d}.{value.month:02d}.{value.year:04d}"


_SWAP_SEPARATORS = str.maketrans({",": ".", ".": ","})


def _as_dict(value: CompanyInfo | AccountInfo) -> dict[str, str]:
    fields = {name: getattr(value, name) for name in value.__slots__}
    fields["address_line"] = address_line(value.address, value.city)
    return fields


def _environment(*, html: bool) -> SandboxedEnvironment:
    env = LimitedEnvironment(
        undefined=StrictUndefined,
        autoescape=html,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["money"] = fast_money
    env.filters["amount"] = fast_amount
    env.filters["day"] = fast_day
    return env


def lists_every_currency(source: TemplateSource) -> bool:
    """Whether the template's text shows `balances` (every currency of a letter), not only
    `balance` (the first): a template that does not cannot write a letter of several
    currencies without leaving some out."""
    try:
        parsed = _environment(html=False).parse(source.text)
    except JinjaTemplateError:
        return False
    return "balances" in meta.find_undeclared_variables(parsed)


@dataclass(slots=True)
class LetterRenderer:
    """A template compiled once, rendered for many letters."""

    source: TemplateSource
    _compiled: dict[str, Any] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        text_env = _environment(html=False)
        html_env = _environment(html=True)
        for part, env, body in (
            ("subject", text_env, self.source.subject),
            ("text", text_env, self.source.text),
            ("html", html_env, self.source.html),
        ):
            if len(body) > MAX_OUTPUT:
                raise LetterTemplateError(_explain(part, TemplateLimitError(_("Şablon çok uzun."))))
            try:
                self._compiled[part] = env.from_string(body)
            except RecursionError:
                # 3 000 nested parentheses, say: the parser or Python's compiler gives up.
                message = _("Şablon çok derin iç içe (parantez, blok).")
                raise LetterTemplateError(_explain(part, TemplateLimitError(message))) from None
            except Exception as exc:  # any error at all is the template's, for the user
                raise LetterTemplateError(_explain(part, exc)) from None

    def render(self, context: Mapping[str, Any], seconds: float = RENDER_SECONDS) -> RenderedLetter:
        """Render all three parts within the sandbox's limits (all of them within `seconds`);
        any error becomes a `LetterTemplateError`."""
        try:
            parts = render_limited(self._compiled, context, seconds)
        except TemplateFailed as failed:
            raise LetterTemplateError(_explain(failed.part, failed.cause)) from None
        subject = " ".join(parts["subject"].split())
        if not subject:
            raise LetterTemplateError(_("Şablonun konusu boş."))
        if not parts["text"].strip():
            raise LetterTemplateError(_("Şablonun düz metin bölümü boş."))
        return RenderedLetter(subject=subject, text=parts["text"], html=parts["html"])


_UNDEFINED = re.compile(r"'([^']+)' is undefined|has no attribute '([^']+)'")


def _explain(part: str, exc: BaseException) -> str:
    where = {"subject": _("konu"), "text": _("düz metin"), "html": _("HTML")}.get(part, part)
    try:
        text = str(exc)[:300] or type(exc).__name__
    except Exception:  # an exception whose text cannot be made
        text = type(exc).__name__
    if isinstance(exc, TemplateLimitError):
        return _("Şablon hatası ({where}): {detail}").format(where=where, detail=text)
    match = _UNDEFINED.search(text)
    if match:
        name = match.group(1) or match.group(2)
        return _("Şablon hatası ({where}): tanımsız alan '{name}'.").format(where=where, name=name)
    line = getattr(exc, "lineno", None)
    if line:
        return _("Şablon hatası ({where}, satır {line}): {detail}").format(
            where=where, line=line, detail=text
        )
    return _("Şablon hatası ({where}): {detail}").format(where=where, detail=text)
