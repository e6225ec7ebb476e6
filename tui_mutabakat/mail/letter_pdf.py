"""The letter as a PDF (SPEC F1): what the shipped HTML letter says — letterhead from the
company details, the balance of every currency with its side, the open items when chosen,
the statement attachment's name, how to answer (with the answer page's link when the letter
has one) — laid out on A4 pages.

The layout is fixed (not the user's HTML template): a PDF is the formal copy, the same for
every letter of a batch. Its words are in the letter's language (like `letter_words`), not
`_()` strings. Written by `mail/pdf.py` (one font subset per process: ~1-2 ms a letter).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from tui_mutabakat.mail.letter_words import words
from tui_mutabakat.mail.pdf_flow import Column, Flow
from tui_mutabakat.mail.templates import LetterFacts, letter_context

PDF_WORDS: dict[str, dict[str, str]] = {
    "tr": {
        "page": "Sayfa",
        "tax": "Vergi Dairesi: {office} · Vergi No: {number}",
        "phone": "Tel: {phone}",
        "dear": "Sayın {title}",
        "code": "Cari hesap kodunuz: {code}",
        "subject": "Konu: {as_of} tarihli cari hesap mutabakatı",
        "intro_many": "Şirketimiz nezdindeki cari hesabınız {as_of} tarihi itibarıyla aşağıdaki "
        "bakiyeleri vermektedir.",
        "intro_zero": "Şirketimiz nezdindeki cari hesabınız {as_of} tarihi itibarıyla bakiye "
        "vermemektedir ({text}).",
        "intro_one": "Şirketimiz nezdindeki cari hesabınız {as_of} tarihi itibarıyla {text} "
        "{side} bakiyesi vermektedir.",
        "currency": "Döviz",
        "debit": "Toplam borç",
        "credit": "Toplam alacak",
        "balance": "Bakiye",
        "side": "B/A",
        "ask": "Kayıtlarınızla karşılaştırarak en geç {answer_by} tarihine kadar e-postamızı "
        "yanıtlamanızı rica ederiz:",
        "agree": "• Mutabık iseniz yanıtınıza yalnızca MUTABIKIZ yazınız.",
        "disagree": "• Mutabık değilseniz MUTABIK DEĞİLİZ yazıp kendi kayıtlarınızdaki "
        "bakiyeyi (tutar ve borç/alacak yönü ile{many}) belirtiniz; mümkünse hesap "
        "ekstrenizi ekleyiniz.",
        "many": ", her para birimi için para birimini de yazarak",
        "token": "Yanıtınızda konu satırındaki {token} referansını lütfen silmeyiniz.",
        "page_link": "Yanıtınızı e-posta yerine yanıt sayfasından da verebilirsiniz.",
        "answer_url": "Yanıt sayfası: {url}",
        "items": "{as_of} tarihinde açık kalemler ({currency})",
        "date": "Tarih",
        "doc_type": "Belge türü",
        "doc_no": "Belge no",
        "description": "Açıklama",
        "due": "Vade",
        "open": "Açık tutar",
        "no_items": "Açık kalem yok.",
        "not_allocated": "Kalemlere dağıtılmamış tutar",
        "total": "Toplam",
        "attachment": "Hesap ekstreniz ekteki {name} dosyasındadır.",
        "law": "Süresi içinde itiraz edilmeyen hesap özeti kabul edilmiş sayılır (TTK md. 94).",
        "eoe": "Hata ve unutma müstesnadır.",
        "regards": "Saygılarımızla,",
    },
    "en": {
        "page": "Page",
        "tax": "Tax office: {office} · Tax number: {number}",
        "phone": "Phone: {phone}",
        "dear": "Dear {title},",
        "code": "Your account code with us: {code}",
        "subject": "Subject: Confirmation of the account balance as of {as_of}",
        "intro_many": "According to our books, your current account as of {as_of} shows the "
        "following balances.",
        "intro_zero": "According to our books, your current account as of {as_of} shows no "
        "balance ({text}).",
        "intro_one": "According to our books, your current account as of {as_of} shows a "
        "{side} balance of {text}.",
        "currency": "Currency",
        "debit": "Total debit",
        "credit": "Total credit",
        "balance": "Balance",
        "side": "B/A",
        "ask": "Please compare it with your records and reply to our e-mail by {answer_by}:",
        "agree": "• If you agree, reply with MUTABIKIZ (we agree).",
        "disagree": "• If you do not agree, reply with MUTABIK DEĞİLİZ (we do not agree) and "
        "the balance in your books (amount and debit/credit side{many}); please attach "
        "your statement.",
        "many": ", naming the currency of each",
        "token": "Please keep the reference {token} in the subject of your reply.",
        "page_link": "You may also answer on our answer page instead of by e-mail.",
        "answer_url": "Answer page: {url}",
        "items": "Items open on {as_of} ({currency})",
        "date": "Date",
        "doc_type": "Document type",
        "doc_no": "Document no",
        "description": "Description",
        "due": "Due",
        "open": "Open amount",
        "no_items": "No open items.",
        "not_allocated": "Not allocated to items",
        "total": "Total",
        "attachment": "Your account statement is attached as {name}.",
        "law": "",
        "eoe": "Errors and omissions excepted (hata ve unutma müstesnadır).",
        "regards": "Kind regards,",
    },
}


def pdf_name(code: str, as_of: date, currency: str = "") -> str:
    """`Mutabakat_<kod>_<tarih>.pdf` (with the currency for a one-currency letter), safe in
    any mail reader."""
    stem = f"Mutabakat_{code}_{currency}" if currency else f"Mutabakat_{code}"
    name = f"{stem}_{as_of:%Y%m%d}.pdf"
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)


def letter_pdf(facts: LetterFacts, language: str) -> bytes:
    """The letter as PDF bytes."""
    flow = Flow(facts.title or facts.account.title, words(PDF_WORDS, language)["page"])
    write_letter(flow, facts, language)
    return flow.to_bytes()


def write_letter(flow: Flow, facts: LetterFacts, language: str) -> None:
    """The letter written into `flow` (an evidence pack writes it into its own document)."""
    w = words(PDF_WORDS, language)
    ctx = letter_context(facts, language)
    _letterhead(flow, ctx, w)
    flow.gap(10)
    flow.paragraph(w["dear"].format(title=facts.account.title), 10.5, bold=True)
    flow.paragraph(w["code"].format(code=facts.account.code))
    flow.gap(6)
    flow.paragraph(w["subject"].format(as_of=ctx["as_of"]), bold=True)
    flow.gap(6)
    balance = ctx["balance"]
    if ctx["multi_currency"]:
        intro = w["intro_many"].format(as_of=ctx["as_of"])
    elif balance["is_zero"]:
        intro = w["intro_zero"].format(as_of=ctx["as_of"], text=balance["text"])
    else:
        intro = w["intro_one"].format(
            as_of=ctx["as_of"], text=balance["text"], side=balance["side_text"]
        )
    flow.paragraph(intro)
    flow.gap(4)
    columns = [
        Column(w["currency"], 0.16),
        Column(w["debit"], 0.25, right=True),
        Column(w["credit"], 0.25, right=True),
        Column(w["balance"], 0.25, right=True),
        Column(w["side"], 0.09),
    ]
    rows = [
        [b["currency_label"], b["debit_total"], b["credit_total"], b["text"], b["side"]]
        for b in ctx["balances"]
    ]
    flow.table(columns, rows, size=9.5)
    flow.gap(8)
    flow.paragraph(w["ask"].format(answer_by=ctx["answer_by"]))
    flow.paragraph(w["agree"], indent=10)
    flow.paragraph(w["disagree"].format(many=w["many"] if ctx["multi_currency"] else ""), indent=10)
    flow.gap(4)
    flow.paragraph(w["token"].format(token=facts.token))
    if facts.answer_url:
        flow.gap(4)
        flow.paragraph(w["page_link"])
        flow.paragraph(w["answer_url"].format(url=facts.answer_url), 9.5)
    if facts.show_open_items:
        for b in ctx["balances"]:
            _open_items(flow, ctx, b, w)
    flow.gap(8)
    if facts.attachment_name:
        flow.paragraph(w["attachment"].format(name=facts.attachment_name))
    if w["law"]:
        flow.paragraph(w["law"], 9)
    flow.paragraph(w["eoe"], 9)
    flow.gap(10)
    flow.paragraph(w["regards"])
    signer = "" if facts.sender_name == facts.company.title else facts.sender_name
    for line in (signer, facts.company.title, facts.sender_email):
        if line:
            flow.paragraph(line)


def _letterhead(flow: Flow, ctx: dict[str, Any], w: dict[str, str]) -> None:
    company = ctx["company"]
    flow.paragraph(company["logo_text"] or company["title"], 14, bold=True)
    if company["logo_text"]:
        flow.paragraph(company["title"], 10)
    place = company["address_line"]
    if place:
        flow.paragraph(place, 9)
    if company["tax_number"]:
        tax = w["tax"].format(office=company["tax_office"], number=company["tax_number"])
        flow.paragraph(tax if company["tax_office"] else tax.partition(" · ")[2], 9)
    if company["phone"]:
        flow.paragraph(w["phone"].format(phone=company["phone"]), 9)
    if company["email"]:
        flow.paragraph(company["email"], 9)
    flow.rule()


def _open_items(flow: Flow, ctx: dict[str, Any], b: dict[str, Any], w: dict[str, str]) -> None:
    flow.heading(w["items"].format(as_of=ctx["as_of"], currency=b["currency_label"]), 11)
    columns = [
        Column(w["date"], 0.12),
        Column(w["doc_type"], 0.16),
        Column(w["doc_no"], 0.13),
        Column(w["description"], 0.27),
        Column(w["due"], 0.12),
        Column(w["open"], 0.14, right=True),
        Column(w["side"], 0.06),
    ]
    rows: list[list[str]] = [
        [
            i["date"],
            i["doc_type"],
            i["doc_no"],
            i["description"],
            i["due_date"],
            i["open"],
            i["side"],
        ]
        for i in b["open_items"]
    ]
    if not rows:
        rows.append([w["no_items"], "", "", "", "", "", ""])
    if b["has_difference"]:
        difference = b["difference"]
        rows.append([w["not_allocated"], "", "", "", "", difference["amount"], difference["side"]])
    rows.append(["\b" + w["total"], "", "", "", "", b["amount"], b["side"]])
    flow.table(columns, rows)
