"""A sandbox that user templates cannot hurt the program with (SPEC D8).

Jinja2's `SandboxedEnvironment` keeps a template away from Python's internals, but not from
the machine: `2**20000000`, `'x' * 10**9`, `'{:>1000000000}'.format('x')`, two nested
`range(100000)` loops or a macro that calls itself each cost memory, time or the stack.
`LimitedEnvironment` bounds every one of them, and `render_limited` renders a template
under a deadline and an output size limit:

* sizes — powers, products and sums of numbers, strings and lists, `str.format` and `%`
  widths and precisions, the numbers given to filters that make text longer (`center`,
  `indent`, …), `replace`, the values passed to macros and functions and stored in a
  `namespace`: nothing grows beyond `MAX_OUTPUT` characters (or `MAX_INT_BITS` bits);
* ranges — at most `MAX_RANGE` items;
* time — the clock is read at every call the template makes (macros, functions, filters),
  at every piece of output, and every `_CHECK_EVERY` turns of every `{% for %}` (each
  loop of the template's tree is rewritten to iterate through `_budgeted`), so a loop,
  however nested and wherever it is (a macro, a `set` block), ends at the deadline. A
  thread cannot be killed from outside, so the check has to run inside it. A trace
  function (`sys.settrace`) would see every line, but made each letter ~5× slower to
  render (a batch renders thousands); counting calls alone would miss an empty inner loop.
  Work done in one step outside the template's code (a string method, a filter) is bounded
  by the size limits above. The timeout is a `BaseException`, so no `except Exception` in
  a filter swallows it;
* recursion and memory — `RecursionError` and `MemoryError` become template errors.

Every failure of any kind comes out of `render_limited` as `TemplateFailed` (the part, and
the cause: a `TemplateLimitError` or whatever the template raised), which
`mail/templates.py` turns into its `LetterTemplateError`: never anything that could end
the program.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from functools import update_wrapper
from types import BuiltinMethodType, MethodType
from typing import Any

from jinja2 import Template, nodes
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment, SandboxedEscapeFormatter, SandboxedFormatter
from jinja2.utils import Namespace
from markupsafe import Markup

from tui_mutabakat.i18n import gettext as _

#: Characters a rendered part (and any string or list made on the way) may have.
MAX_OUTPUT = 1_000_000
#: Bits an integer made by a template may have (a 4 000-digit number at most).
MAX_INT_BITS = 13_300
#: Items a `range()` may have.
MAX_RANGE = 10_000
#: The widest field or precision in `str.format`, `%` and the `format` filter.
MAX_WIDTH = 1_000
#: Seconds of CPU time a letter (all its parts) may take to render: the thread's own time,
#: so a loaded machine does not make a plain letter look like a hostile template.
RENDER_SECONDS = 2.0
#: Loop iterations between two looks at the clock.
_CHECK_EVERY = 256
#: The global every loop of a template iterates through (see `LimitedEnvironment._parse`).
_BUDGET = "mutabakat_loop_budget"

#: Filters whose number arguments make the output longer, or loop that many times.
_SIZE_FILTERS = frozenset({"center", "indent", "wordwrap", "truncate", "batch", "slice"})
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_FORMAT_NUMBERS = re.compile(r"\d+|\{")


class TemplateLimitError(Exception):
    """A template went beyond a limit; the message is for the user."""


class TemplateFailed(Exception):
    """Rendering failed: in which part, and why (a `TemplateLimitError` or whatever the
    template raised — any exception at all)."""

    def __init__(self, part: str, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.part = part
        self.cause = cause


class RenderTimeout(BaseException):
    """The deadline passed. A `BaseException`, so that no `except Exception` in the code
    the template runs can swallow it."""


def _too_big(what: str) -> TemplateLimitError:
    return TemplateLimitError(
        _("Şablon sınırı aşıldı: {what} çok büyük (en çok {limit}).").format(
            what=what, limit=f"{MAX_OUTPUT:,}".replace(",", ".")
        )
    )


def _size(value: Any) -> int:
    if isinstance(value, (str, bytes, list, tuple, dict, set, frozenset)):
        return len(value)
    return 0


def _check_value(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        if value.bit_length() > MAX_INT_BITS:
            raise TemplateLimitError(_("Şablon sınırı aşıldı: sayı çok büyük."))
    elif _size(value) > MAX_OUTPUT:
        raise _too_big(_("metin ya da liste"))
    return value


def _too_wide() -> TemplateLimitError:
    return TemplateLimitError(
        _("Şablon sınırı aşıldı: genişlik, uzunluk ya da adet en çok {limit}.").format(
            limit=MAX_WIDTH
        )
    )


def _check_width(spec: str) -> None:
    """Refuse a format spec wider or more precise than `MAX_WIDTH` (or a nested one)."""
    for number in _FORMAT_NUMBERS.findall(spec):
        if number == "{" or int(number) > MAX_WIDTH:
            raise _too_wide()


def _check_percent(text: str) -> None:
    """The same for `%` conversions (`%*s` takes its width from the values: refused)."""
    for match in _PERCENT_SPEC.finditer(text):
        for group in match.groups():
            if group == "*" or (group is not None and int(group) > MAX_WIDTH):
                raise _too_wide()


class _WidthLimit:
    """`str.format` in the sandbox with its widths and precisions bounded."""

    def format_field(self, value: Any, format_spec: str) -> Any:
        _check_width(format_spec)
        return _check_value(super().format_field(value, format_spec))  # type: ignore[misc]


class _LimitedFormatter(_WidthLimit, SandboxedFormatter):
    pass


class _LimitedEscapeFormatter(_WidthLimit, SandboxedEscapeFormatter):
    pass


def _limited_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise TemplateLimitError(
            _("Şablon sınırı aşıldı: range() en çok {limit} öğe verir.").format(limit=MAX_RANGE)
        )
    return numbers


class LimitedNamespace(Namespace):
    """`namespace()` whose values obey the size limits (a loop cannot double a string in it
    until memory runs out)."""

    def __setitem__(self, name: str, value: Any) -> None:
        super().__setitem__(name, _check_value(value))


def _power(left: Any, right: Any) -> Any:
    if isinstance(left, int) and isinstance(right, int):
        if right > 0 and max(left.bit_length(), 1) * right > MAX_INT_BITS + right:
            raise TemplateLimitError(_("Şablon sınırı aşıldı: sayı çok büyük."))
    return left**right


def _times(left: Any, right: Any) -> Any:
    if isinstance(left, int) and isinstance(right, int):
        if left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise TemplateLimitError(_("Şablon sınırı aşıldı: sayı çok büyük."))
    elif isinstance(right, int) and _size(left) * right > MAX_OUTPUT:
        raise _too_big(_("metin ya da liste"))
    elif isinstance(left, int) and _size(right) * left > MAX_OUTPUT:
        raise _too_big(_("metin ya da liste"))
    return left * right


def _plus(left: Any, right: Any) -> Any:
    return _check_value(left + right)


def _modulo(left: Any, right: Any) -> Any:
    if isinstance(left, str):
        _check_percent(left)
    return _check_value(left % right)


class LimitedEnvironment(SandboxedEnvironment):
    """The sandbox with limits on sizes, ranges, powers and formats (see the module)."""

    intercepted_binops = frozenset({"**", "*", "+", "%"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.globals["range"] = _limited_range
        self.globals["namespace"] = LimitedNamespace
        # Paragraphs of filler text on demand: nothing a letter needs.
        self.globals.pop("lipsum", None)
        self.globals[_BUDGET] = _budgeted
        self.binop_table.update({"**": _power, "*": _times, "+": _plus, "%": _modulo})
        for name, function in list(self.filters.items()):
            self.filters[name] = _guarded_filter(name, function)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        """The template's tree with every `{% for %}` iterating through `_budgeted`."""
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Call(
                nodes.Name(_BUDGET, "load", lineno=loop.lineno),
                [loop.iter],
                [],
                None,
                None,
                lineno=loop.lineno,
            )
        return tree

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        return self.binop_table[operator](left, right)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        _check_time()
        for value in (*args, *kwargs.values()):
            _check_value(value)
        return _check_value(super().call(__context, __obj, *args, **kwargs))

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        if not isinstance(value, (MethodType, BuiltinMethodType)) or value.__name__ not in (
            "format",
            "format_map",
        ):
            return None
        owner = value.__self__
        if not isinstance(owner, str):
            return None
        formatter: SandboxedFormatter = (
            _LimitedEscapeFormatter(self, escape=owner.escape)
            if isinstance(owner, Markup)
            else _LimitedFormatter(self)
        )
        is_map = value.__name__ == "format_map"

        def wrapper(*args: Any, **kwargs: Any) -> str:
            if is_map:
                if kwargs or len(args) != 1:
                    raise TypeError("format_map() takes exactly one argument")
                kwargs, args = args[0], ()
            return type(owner)(formatter.vformat(owner, args, kwargs))

        return update_wrapper(wrapper, value)


def _guarded_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    # A filter marked with `pass_context` and the like gets that first, then the value.
    first = 1 if hasattr(function, "jinja_pass_arg") else 0

    def guarded(*args: Any, **kwargs: Any) -> Any:
        _check_time()
        value, rest = (args[first], args[first + 1 :]) if len(args) > first else (None, ())
        if name in _SIZE_FILTERS:
            for number in (*rest, *kwargs.values()):
                if isinstance(number, int) and abs(number) > MAX_WIDTH or _size(number) > MAX_WIDTH:
                    raise _too_wide()
        elif name == "format" and isinstance(value, str):
            _check_percent(value)
        elif name == "replace" and len(rest) >= 2:
            _check_replace(value, rest[0], rest[1])
        return _check_value(function(*args, **kwargs))

    return update_wrapper(guarded, function)  # keeps `jinja_pass_arg` (pass_context, …)


def _check_replace(value: Any, old: Any, new: Any) -> None:
    if isinstance(value, str) and isinstance(old, str) and isinstance(new, str):
        grows = len(new) - len(old)
        hits = value.count(old) if old else len(value) + 1
        if grows > 0 and len(value) + hits * grows > MAX_OUTPUT:
            raise _too_big(_("metin"))


_clock = threading.local()


def _check_time() -> None:
    """Raise `RenderTimeout` when this thread's render has passed its deadline."""
    until = getattr(_clock, "until", None)
    if until is not None and time.thread_time() > until:
        raise RenderTimeout


def _budgeted(iterable: Any) -> Iterator[Any]:
    """What every `{% for %}` of a template iterates over: the same items, with a look at
    the clock every `_CHECK_EVERY` of them."""
    for count, item in enumerate(iterable, 1):
        if count % _CHECK_EVERY == 0:
            _check_time()
        yield item


def render_limited(
    templates: Mapping[str, Template], context: Mapping[str, Any], seconds: float = RENDER_SECONDS
) -> dict[str, str]:
    """Render each template with `context`, all of them within `seconds` and each within
    `MAX_OUTPUT` characters. Whatever goes wrong — a limit, an error in the template,
    recursion, memory — raises `TemplateFailed`, and nothing else."""
    previous = getattr(_clock, "until", None)
    _clock.until = time.thread_time() + seconds
    parts: dict[str, str] = {}
    part = ""
    try:
        for part, template in templates.items():
            chunks: list[str] = []
            size = 0
            for chunk in template.generate(context):
                size += len(chunk)
                if size > MAX_OUTPUT:
                    raise _too_big(_("çıktı"))
                chunks.append(chunk)
                _check_time()
            parts[part] = "".join(chunks)
    except RenderTimeout:
        message = _("Şablon {seconds} saniyede işlenemedi (sonsuz ya da çok uzun döngü?).")
        limit = TemplateLimitError(message.format(seconds=f"{seconds:g}"))
        raise TemplateFailed(part, limit) from None
    except RecursionError:
        message = _("Şablon kendini çok derin çağırıyor (özyineleme).")
        raise TemplateFailed(part, TemplateLimitError(message)) from None
    except MemoryError:
        message = _("Şablon çok fazla bellek istiyor.")
        raise TemplateFailed(part, TemplateLimitError(message)) from None
    except Exception as exc:  # anything a template can raise is the template's error
        # Without its traceback: the frames of a deep recursion are not kept alive.
        raise TemplateFailed(part, exc.with_traceback(None)) from None
    finally:
        _clock.until = previous
    return parts
