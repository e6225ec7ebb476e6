"""Templates cannot hurt the program (issue 10 point 6): the hostile templates of the issue,
and generated ones, end as a template error within the time limit — never an exception of
another kind, never a hang, never a giant letter; a template that fails on the sample
letter cannot be saved; in the editor a recursive macro shows its error and the app stays
up."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from textual.widgets import Label, TextArea

from tests.pilot_keys import press, wait_for
from tests.send_data import add_account, add_company, add_movement, configure_sender
from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.data.outbox_models import LetterTemplate
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.errors import InvalidInput
from tui_mutabakat.mail.sandbox import MAX_OUTPUT
from tui_mutabakat.mail.templates import (
    LetterRenderer,
    LetterTemplateError,
    RenderedLetter,
    TemplateSource,
    letter_context,
    sample_facts,
)
from tui_mutabakat.screens.settings.templates_editor import TemplateEditorScreen, TemplateListScreen
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.sending.letters import save_template

CONTEXT = letter_context(sample_facts("tr"), "tr")

HOSTILE = [
    "{{ cycler() }}",
    "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
    "{{ " + "(" * 3000 + "1" + ")" * 3000 + " }}",
    "{{ (2**20000)|string }}",
    "{{ 9**999999 }}",
    "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
    "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}",
    "{% macro m() %}{% for i in range(9999) %}{% for j in range(9999) %}{% endfor %}"
    "{% endfor %}{% endmacro %}{{ m() }}",
    "{{ '{:>1000000000}'.format('x') }}",
    "{{ '{:{}}'.format('x', 1000000000) }}",
    "{{ '{:.1000000000f}'.format(1.5) }}",
    "{{ 'x' * 1000000000 }}",
    "{{ ['x'] * 1000000000 }}",
    "{{ '%1000000000s' % 'x' }}",
    "{{ '%*s' % (1000000000, 'x') }}",
    "{{ '%1000000000s'|format('x') }}",
    "{{ 'x'|center(1000000000) }}",
    "{{ 'x'|indent(1000000000, true) }}",
    "{{ [1, 2]|slice(1000000000)|list }}",
    "{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}"
    "{% endfor %}{{ ns.s|length }}",
    "{% macro d(s, n) %}{% if n %}{{ d(s ~ s, n - 1) }}{% endif %}{% endmacro %}{{ d('x', 64) }}",
    "{% set x = 'a' * 900000 %}{{ x|replace('a', 'bbbbbbbbbb') }}",
    "{% for c in 'x' * 900000 %}{% for d in 'y' * 900000 %}{% endfor %}{% endfor %}",
    "{% for i in range(10000) %}{{ 'x' * 1000 }}{% endfor %}",
    "{{ lipsum(1000000) }}",
    "{{ ''.__class__.__mro__ }}",
    "{{ account.nope }}",
    "{% if %}",
    "{{ 1 / 0 }}",
    "{{ [] | first | int / 0 }}",
]


def _render(body: str, seconds: float = 2.0) -> RenderedLetter:
    source = TemplateSource("x", "tr", "Konu", body, "<p>{{ account.code }}</p>", shipped=False)
    return LetterRenderer(source).render(CONTEXT, seconds)


@pytest.mark.parametrize("body", HOSTILE, ids=range(len(HOSTILE)))
def test_a_hostile_template_is_a_template_error_in_bounded_time(body: str) -> None:
    start = time.thread_time()
    with pytest.raises(LetterTemplateError) as error:
        _render(body, seconds=1.0)
    assert time.thread_time() - start < 3.0
    assert str(error.value).startswith("Şablon")


# Pieces a hostile user might put together: big numbers, loops, recursion, formats, filters.
_NUMBER = st.sampled_from(["0", "1", "7", "999", "10000", "100000", "1000000000", "2**64", "-1"])
_STRING = st.sampled_from(["'x'", "'ab'", "account.code", "balance.text", "'{:>9}'", "'%9s'"])


def _expr(depth: int) -> st.SearchStrategy[str]:
    leaf = st.one_of(_NUMBER, _STRING, st.just("range(10)"), st.just("open_items"))
    if depth <= 0:
        return leaf
    inner = _expr(depth - 1)
    return st.one_of(
        leaf,
        st.builds(
            "({} {} {})".format, inner, st.sampled_from(["**", "*", "+", "%", "~", "//"]), inner
        ),
        st.builds(
            "{}|{}".format,
            inner,
            st.sampled_from(
                [
                    "string",
                    "list",
                    "length",
                    "join",
                    "center(1000000)",
                    "indent(99999)",
                    "upper",
                    "batch(100000)|list",
                    "replace('x', 'xxxxxxxx')",
                    "format(1, 2)",
                    "sum",
                    "sort",
                ]
            ),
        ),
        st.builds("{}.format({})".format, _STRING, inner),
        st.builds("range({})".format, inner),
        st.builds("cycler({})".format, inner),
        st.builds("'{{:>{}}}'.format('x')".format, _NUMBER),
        st.builds(lambda n, e: "(" * n + e + ")" * n, st.integers(0, 400), inner),
    )


def _statement(depth: int) -> st.SearchStrategy[str]:
    output = st.builds("{{{{ {} }}}}".format, _expr(2))
    if depth <= 0:
        return output
    inner = st.lists(_statement(depth - 1), min_size=1, max_size=3).map("".join)
    return st.one_of(
        output,
        st.builds(
            "{{% for v{} in {} %}}{}{{% endfor %}}".format, st.integers(0, 3), _expr(1), inner
        ),
        st.builds(
            (
                "{{% macro m{0}(a) %}}{1}{{{{ m{0}(a ~ a) }}}}{{% endmacro %}}{{{{ m{0}('x') }}}}"
            ).format,
            st.integers(0, 3),
            inner,
        ),
        st.builds("{{% set ns = namespace(v={}) %}}{}".format, _expr(1), inner),
        st.builds("{{% if {} %}}{}{{% endif %}}".format, _expr(1), inner),
        st.text(alphabet="{}%#()[]|~'\"x ", max_size=30),
    )


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(st.lists(_statement(2), min_size=1, max_size=4).map("".join))
def test_generated_templates_never_raise_anything_else_and_end_in_time(body: str) -> None:
    # Processor time of this thread: the other sessions on a loaded machine do not count.
    start = time.thread_time()
    try:
        rendered = _render(body, seconds=0.3)
    except LetterTemplateError:
        pass
    else:
        assert max(len(rendered.text), len(rendered.html), len(rendered.subject)) <= MAX_OUTPUT
    # The limit, plus compiling and what one bounded step (a 1 MB string operation) may
    # take beyond it.
    assert time.thread_time() - start < 2.5


def test_a_template_that_fails_on_the_sample_letter_is_not_saved(
    database: Database, actor: Actor
) -> None:
    for body in (
        "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
        "{{ open_items[5].doc_no }}",
        "{{ '{:>1000000000}'.format('x') }}",
    ):
        with database.unit_of_work() as session, pytest.raises(InvalidInput):
            save_template(session, actor, TemplateSource("t", "tr", "Konu", body, "", False))
    with database.unit_of_work() as session:
        save_template(
            session,
            actor,
            TemplateSource("t", "tr", "Konu", "{{ open_items[1].doc_no }}", "", False),
        )
    with database.reader() as session:
        assert [t.name for t in session.scalars(select(LetterTemplate))] == ["t"]


async def test_a_recursive_macro_in_the_editor_shows_its_error_and_the_app_stays_up(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    from datetime import date

    with database.unit_of_work() as session:
        add_company(session)
        configure_sender(session, actor.login)
        account = add_account(session, "120.001", "Firma", emails=("a@b.com",))
        add_movement(session, account, date(2026, 1, 5), debit="100")
    async with app.run_test(size=(100, 30)) as pilot:
        await press(pilot, "f8")
        assert isinstance(app.screen, TemplateListScreen)
        await press(pilot, "enter")
        editor = app.screen
        assert isinstance(editor, TemplateEditorScreen)
        area = editor.query_one("#template-editor", TextArea)
        area.text = ""
        await pilot.press(*"{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}")
        status = editor.query_one("#template-status", Label)
        await wait_for(pilot, lambda: "özyineleme" in str(status.content))
        assert status.has_class("error-text")
        # Saving is refused, and the program is still there and answers keys.
        await press(pilot, "f2")
        await app.workers.wait_for_complete()
        await pilot.pause()
        with database.reader() as session:
            assert session.scalars(select(LetterTemplate)).all() == []
        assert app.is_running and app.screen is editor
        area.text = ""
        await pilot.press(*"Hesap {{ account.code }}")
        preview = editor.query_one("#template-preview")
        # Each key renders again after a pause; the last render holds the code.
        await wait_for(pilot, lambda: "120.001" in str(preview.render()))
        assert not status.has_class("error-text")
