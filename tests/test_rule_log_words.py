"""The rule decisions screen (issue 11.8) says what the log holds in words (issue 11.11): the
log keeps a language-neutral `key=value` line; the screen shows names, Turkish amounts and
dates, and the document type in words."""

from __future__ import annotations

from tui_mutabakat.i18n import set_language
from tui_mutabakat.services.accounts.rule_log import detail_text, document_text


def test_a_due_tracking_stop_in_words() -> None:
    set_language("tr")
    line = detail_text(
        "due_tracking fired=1 action=stop outcome=stop D=30 A=10000.00 S=43507.69 "
        "items=[12,13] today=2026-12-05 refused=sales_invoice T3"
    )
    assert line == (
        "kural çalıştı · ayar: işlem durdurulsun · sonuç: işlem durdurulsun · gün sınırı 30 · "
        "tutar sınırı 10.000,00 · gecikmiş toplam 43.507,69 TL · gecikmiş kalem 2 · "
        "tarih 05.12.2026"
    )
    assert "=" not in line and "sales_invoice" not in line


def test_a_closing_gap_and_an_approval_override_in_words() -> None:
    set_language("tr")
    closing = detail_text(
        "fifo debit=12001 credit=12003 amount=5000.00 closing_gap fired=1 action=warn "
        "outcome=warn K=60 gap=86 debit_due=2026-12-05 credit_due=2027-03-01"
    )
    assert "FIFO eşleme" in closing and "vade farkı 86 gün" in closing
    assert "borç vadesi 05.12.2026" in closing and "alacak vadesi 01.03.2027" in closing
    approval = detail_text(
        "order_approval approved=0 risk=ticked:fail due_date=ticked:pass ageing=off:pass "
        "changed=risk:on->off ageing:off->on reason=Müşteri ödeme sözü verdi"
    )
    assert "Risk kriteri: işaretli, sağlanmadı" in approval
    assert "Risk kriteri: işaretli → işaretsiz; Yaşlandırma kriteri: işaretsiz → işaretli" in (
        approval
    )
    assert approval.endswith("gerekçe: Müşteri ödeme sözü verdi")
    assert "=" not in approval


def test_documents_in_words() -> None:
    set_language("tr")
    assert document_text("sales_invoice T3") == "Satış Faturası T3"
    assert document_text("sales_order 2") == "Satış siparişi #2"
    assert document_text("something else") == "something else"


def test_an_override_without_changed_ticks_names_no_change() -> None:
    set_language("tr")
    line = detail_text(
        "order_approval approved=0 risk=ticked:fail due_date=off:pass ageing=off:pass "
        "changed=- reason=Söz verdi"
    )
    assert "değiştirilen" not in line and "→" not in line
    assert line.endswith(
        "kriter sağlanmadı · Risk kriteri: işaretli, sağlanmadı · "
        "Vade kriteri: işaretsiz, sağlandı · "
        "Yaşlandırma kriteri: işaretsiz, sağlandı · gerekçe: Söz verdi"
    )


def test_refused_documents_are_named_by_their_numbers() -> None:
    set_language("tr")
    assert document_text("sales_invoice dispatch=IR-000004") == (
        "Satış Faturası (irsaliye IR-000004)"
    )
    assert document_text("sales_invoice FT-000005 dispatch=IR-000004") == (
        "Satış Faturası FT-000005 (irsaliye IR-000004)"
    )
    assert document_text("sales_invoice order=SS-000002") == ("Satış Faturası (sipariş SS-000002)")
    assert document_text("sales_order_paid ") == "Satış Siparişi (Ödemeli) yeni sipariş"
    assert document_text("sales_order_paid SS-000003") == "Satış Siparişi (Ödemeli) SS-000003"


def test_closing_pairs_name_the_movements_documents() -> None:
    set_language("tr")
    line = detail_text(
        "fifo debit=12001 credit=12003 amount=5.00 closing_gap fired=1 action=warn",
        {12001: "FT-000002", 12003: ""},
    )
    assert "borç belgesi FT-000002" in line and "alacak belgesi #12003" in line
    assert "hareketi" not in line


def test_a_bypassed_criterion_in_words() -> None:
    """A default criterion unticked while it failed (an override) says so in the log."""
    set_language("tr")
    line = detail_text(
        "order_approval approved=0 risk=bypassed:fail due_date=ticked:pass ageing=off:pass "
        "changed=risk:on->off reason=Söz verdi"
    )
    assert "Risk kriteri: işareti kaldırıldı, sağlanmadı" in line
