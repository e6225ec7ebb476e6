"""A small PDF writer for letters and evidence reports (SPEC F1).

Why not a PDF library: measured on this machine for a letter with 20 open items, WeasyPrint
renders ~0.8 letters/s, fpdf2 ~3/s and ReportLab ~50/s — each parses and subsets the
TrueType font again for every document. A batch of thousands of letters with PDFs must not
wait on that. Here the font is subset ONCE per process (fontTools) to a fixed character set
(Latin-1, Latin Extended-A — all of Turkish —, punctuation, ₺ €); every document embeds that
same compressed subset, so writing a letter is string formatting and one zlib call
(several hundred letters/s).

The font is Roboto, shipped inside the `font-roboto` package from PyPI (Apache 2.0), so a
`pip install` brings it on any system; no Debian font package is needed. Text is written
with an Identity-H Type 0 font and a ToUnicode map, so `pdftotext` and copy-paste give the
Turkish letters back. A character outside the subset is written as `?`.

Coordinates are in points from the top-left corner (the writer flips them); A4 portrait.
"""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files

PAGE_WIDTH = 595.28
PAGE_HEIGHT = 841.89

_CHARSET = (
    "".join(chr(c) for c in range(0x20, 0x7F))
    + "".join(chr(c) for c in range(0xA0, 0x180))
    + "–—‘’‚“”„†•…‰‹›€₺™−≤≥"
)
_FONT_FILES = {"regular": "Roboto-Regular.ttf", "bold": "Roboto-Bold.ttf"}


@dataclass(frozen=True, slots=True)
class EmbeddedFont:
    """A font subset once: its program (zlib), glyph ids and widths (1/1000 em)."""

    name: str
    program: bytes
    length1: int
    glyphs: dict[str, int]
    widths: dict[int, int]
    ascent: int
    descent: int
    bbox: tuple[int, int, int, int]
    cap_height: int
    to_unicode: bytes
    #: Code point → its glyph id in hex (for `str.translate`), and character → its
    #: advance width; the widths of strings measured before (the hot paths).
    hex_codes: _HexCodes
    advances: dict[str, int]
    measured: dict[str, int]

    def encode(self, text: str) -> str:
        """`text` as the hex glyph string of a `Tj` operator."""
        return text.translate(self.hex_codes)

    def width(self, text: str, size: float) -> float:
        units = self.measured.get(text)
        if units is None:
            advances = self.advances
            missing = advances["?"]
            units = sum([advances.get(ch, missing) for ch in text])
            if len(self.measured) > 100_000:  # a long run of distinct strings: start over
                self.measured.clear()
            self.measured[text] = units
        return units * size / 1000


class _HexCodes(dict[int, str]):
    """Code point → 4 hex digits of its glyph; a character the font lacks gives `?`'s."""

    def __missing__(self, key: int) -> str:
        return self[ord("?")]


@lru_cache(maxsize=2)
def embedded_font(style: str) -> EmbeddedFont:
    """The Roboto subset of `style` ("regular" or "bold"), made once per process."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    path = files("font_roboto").joinpath("files", _FONT_FILES[style])
    font = TTFont(io.BytesIO(path.read_bytes()))
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6]
    options.notdef_outline = True
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=_CHARSET)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    program = out.getvalue()
    scale = 1000 / font["head"].unitsPerEm
    order = font.getGlyphOrder()
    gid = {name: index for index, name in enumerate(order)}
    cmap = font.getBestCmap()
    glyphs = {chr(code): gid[name] for code, name in cmap.items() if chr(code) in _CHARSET}
    metrics = font["hmtx"].metrics
    widths = {gid[name]: round(metrics[name][0] * scale) for name in order}
    head, hhea, os2 = font["head"], font["hhea"], font["OS/2"]
    bbox = (
        round(head.xMin * scale),
        round(head.yMin * scale),
        round(head.xMax * scale),
        round(head.yMax * scale),
    )
    return EmbeddedFont(
        name="MTBAAA+Roboto-Bold" if style == "bold" else "MTBAAA+Roboto-Regular",
        program=zlib.compress(program, 9),
        length1=len(program),
        glyphs=glyphs,
        widths=widths,
        ascent=round(hhea.ascent * scale),
        descent=round(hhea.descent * scale),
        bbox=bbox,
        cap_height=round(getattr(os2, "sCapHeight", 700) * scale),
        to_unicode=zlib.compress(_to_unicode(glyphs)),
        hex_codes=_HexCodes({ord(ch): f"{g:04X}" for ch, g in glyphs.items()}),
        advances={ch: widths[g] for ch, g in glyphs.items()},
        measured={},
    )


def _to_unicode(glyphs: dict[str, int]) -> bytes:
    pairs = sorted({g: ch for ch, g in glyphs.items()}.items())
    lines = [
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
        "1 begincodespacerange <0000> <FFFF> endcodespacerange",
    ]
    for start in range(0, len(pairs), 100):
        chunk = pairs[start : start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines.extend(f"<{g:04X}> <{ord(ch):04X}>" for g, ch in chunk)
        lines.append("endbfchar")
    lines.append("endcmap CMapName currentdict /CMap defineresource pop end end")
    return "\n".join(lines).encode("ascii")


@lru_cache(maxsize=4)
def _font_objects(style: str, first: int) -> tuple[bytes, ...]:
    """Type0 font, CIDFont, descriptor, font file and ToUnicode as objects `first`…+4
    (the same in every document: made once)."""
    font = embedded_font(style)
    widths = " ".join(str(font.widths[g]) for g in range(len(font.widths)))
    x0, y0, x1, y1 = font.bbox
    return (
        (
            f"<< /Type /Font /Subtype /Type0 /BaseFont /{font.name} /Encoding /Identity-H "
            f"/DescendantFonts [{first + 1} 0 R] /ToUnicode {first + 4} 0 R >>"
        ).encode("ascii"),
        (
            f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{font.name} "
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
            f"/FontDescriptor {first + 2} 0 R /CIDToGIDMap /Identity /DW 500 "
            f"/W [0 [{widths}]] >>"
        ).encode("ascii"),
        (
            f"<< /Type /FontDescriptor /FontName /{font.name} /Flags 32 "
            f"/FontBBox [{x0} {y0} {x1} {y1}] /ItalicAngle 0 /Ascent {font.ascent} "
            f"/Descent {font.descent} /CapHeight {font.cap_height} /StemV 80 "
            f"/FontFile2 {first + 3} 0 R >>"
        ).encode("ascii"),
        _stream(font.program, f"/Length1 {font.length1} /Filter /FlateDecode"),
        _stream(font.to_unicode, "/Filter /FlateDecode"),
    )


def _stream(data: bytes, extra: str) -> bytes:
    return f"<< /Length {len(data)} {extra} >>\nstream\n".encode("ascii") + data + b"\nendstream"


def _pdf_string(text: str) -> str:
    """A literal string for the document information (ASCII; others as `?`)."""
    cleaned = "".join(ch if 32 <= ord(ch) < 127 else "?" for ch in text)
    return "(" + cleaned.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


@dataclass(slots=True)
class PdfDocument:
    """Pages of positioned text and lines; `to_bytes` writes the file."""

    title: str = ""
    pages: list[list[str]] = field(default_factory=list)

    def new_page(self) -> None:
        self.pages.append([])

    def text(
        self,
        x: float,
        y: float,
        text: str,
        size: float = 10,
        bold: bool = False,
        page: int = -1,
    ) -> None:
        """`text` with its baseline `y` points below the top of the page (the last page,
        or the one numbered `page` from 0)."""
        if not self.pages:
            self.new_page()
        font = embedded_font("bold" if bold else "regular")
        name = "/F2" if bold else "/F1"
        glyphs = font.encode(text)
        self.pages[page].append(
            f"BT {name} {size:g} Tf {x:.2f} {PAGE_HEIGHT - y:.2f} Td <{glyphs}> Tj ET"
        )

    def line(self, x0: float, y0: float, x1: float, y1: float, width: float = 0.5) -> None:
        if not self.pages:
            self.new_page()
        self.pages[-1].append(
            f"{width:g} w {x0:.2f} {PAGE_HEIGHT - y0:.2f} m {x1:.2f} {PAGE_HEIGHT - y1:.2f} l S"
        )

    def to_bytes(self) -> bytes:
        pages = self.pages or [[]]
        # 1 catalog, 2 pages, 3 info, 4-8 regular font, 9-13 bold font, then page+content.
        objects: list[bytes] = [b"", b"", b""]
        objects += _font_objects("regular", 4)
        objects += _font_objects("bold", 9)
        kids = []
        for body in pages:
            page_number = len(objects) + 1
            kids.append(f"{page_number} 0 R")
            objects.append(
                (
                    f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] "
                    "/Resources << /Font << /F1 4 0 R /F2 9 0 R >> >> "
                    f"/Contents {page_number + 1} 0 R >>"
                ).encode("ascii")
            )
            content = zlib.compress("\n".join(body).encode("ascii"), 6)
            objects.append(_stream(content, "/Filter /FlateDecode"))
        objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
        objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>".encode(
            "ascii"
        )
        objects[2] = f"<< /Title {_pdf_string(self.title)} /Producer (tui-mutabakat) >>".encode(
            "ascii"
        )
        out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, entry in enumerate(objects, start=1):
            offsets.append(len(out))
            out += f"{number} 0 obj\n".encode("ascii") + entry + b"\nendobj\n"
        xref = len(out)
        out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("ascii")
        out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode("ascii")
        out += (
            f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 3 0 R >>\n"
            f"startxref\n{xref}\n%%EOF\n"
        ).encode("ascii")
        return bytes(out)


def text_width(text: str, size: float, bold: bool = False) -> float:
    return embedded_font("bold" if bold else "regular").width(text, size)


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """`text` broken into lines no wider than `width` (at spaces; a word too long for a
    line is cut). Line breaks in `text` are kept."""
    font = embedded_font("bold" if bold else "regular")
    if "\n" not in text and font.width(text, size) <= width:
        return [text]
    space = font.width(" ", size)
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        current: list[str] = []
        used = 0.0
        for word in paragraph.split(" "):
            wide = font.width(word, size)
            if wide <= width and (not current or used + space + wide <= width):
                used += wide + (space if current else 0.0)
                current.append(word)
                continue
            if current:
                lines.append(" ".join(current))
            while wide > width and len(word) > 1:
                cut = len(word)
                while cut > 1 and font.width(word[:cut], size) > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
                wide = font.width(word, size)
            current, used = [word], wide
        lines.append(" ".join(current))
    return lines
