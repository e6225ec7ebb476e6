"""The fixed words a letter uses, in the letter's own language (SPEC D8).

A letter is written in its template's language, whatever the user's interface language is,
so these words are not `_()` strings: they are chosen by the template's language.
"""

from __future__ import annotations

SIDE_WORDS: dict[str, dict[str, str]] = {
    "tr": {"B": "borç", "A": "alacak", "": ""},
    "en": {"B": "debit", "A": "credit", "": ""},
}

#: Movement document types (`DocumentType` values) in words.
DOC_TYPE_WORDS: dict[str, dict[str, str]] = {
    "tr": {
        "sales_invoice": "Satış faturası",
        "purchase_invoice": "Alış faturası",
        "sales_order_paid": "Peşin satış",
        "cash": "Kasa",
        "account_voucher": "Cari hesap fişi",
        "bank": "Banka",
        "export": "İhracat",
        "opening": "Açılış fişi",
    },
    "en": {
        "sales_invoice": "Sales invoice",
        "purchase_invoice": "Purchase invoice",
        "sales_order_paid": "Cash sale",
        "cash": "Cash",
        "account_voucher": "Account voucher",
        "bank": "Bank",
        "export": "Export",
        "opening": "Opening entry",
    },
}

#: The statement attachment's headings and its opening line.
STATEMENT_WORDS: dict[str, dict[str, str]] = {
    "tr": {
        "date": "Tarih",
        "doc_type": "Belge türü",
        "doc_no": "Belge no",
        "description": "Açıklama",
        "debit": "Borç",
        "credit": "Alacak",
        "balance": "Bakiye",
        "side": "Borç/Alacak",
        "currency": "Döviz",
        "opening": "Devir ({day} öncesi)",
        "account": "Cari hesap",
        "as_of": "Ekstre tarihi",
    },
    "en": {
        "date": "Date",
        "doc_type": "Document type",
        "doc_no": "Document no",
        "description": "Description",
        "debit": "Debit",
        "credit": "Credit",
        "balance": "Balance",
        "side": "Debit/Credit",
        "currency": "Currency",
        "opening": "Brought forward (before {day})",
        "account": "Account",
        "as_of": "Statement date",
    },
}


def words(table: dict[str, dict[str, str]], language: str) -> dict[str, str]:
    return table.get(language, table["tr"])


def doc_type_words(code: str, language: str) -> str:
    return words(DOC_TYPE_WORDS, language).get(code, code)
