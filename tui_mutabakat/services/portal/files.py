"""Files attached on the answer page: the type from the content (never the name or the
browser's word), the name made harmless, the bytes stored outside anything served.

Kinds: PDF, xlsx (a zip holding `[Content_Types].xml` and `xl/`), PNG, JPEG by their magic
bytes; CSV as text (UTF-8 or Windows-1254, no control characters). At most `MAX_FILES`
files of `MAX_BYTES` each; the directory is 0700 and every file 0600.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
import stat
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from tui_mutabakat.data.tracking_models import AnswerAttachment, LetterAnswer
from tui_mutabakat.domain.errors import InvalidInput
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.services.portal.answers import StoredFile

MAX_FILES = 3
MAX_BYTES = 10 * 1024 * 1024
KINDS = ("pdf", "xlsx", "csv", "png", "jpg")
UPLOAD_DIR = "portal_uploads"
#: The content type of each kind (the evidence pack lists it).
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    "png": "image/png",
    "jpg": "image/jpeg",
}
_STORED = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\.[a-z]{3,4}")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def kind_of(content: bytes) -> str | None:
    """pdf / xlsx / png / jpg / csv by what the bytes are, or None."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            return "xlsx"
        return None
    for encoding in ("utf-8-sig", "cp1254"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if text.strip() and not _CONTROL.search(text):
            return "csv"
        return None
    return None


def safe_name(name: str, kind: str) -> str:
    """The file's own name without paths, accents or anything odd, ending in its kind."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    stem = _UNSAFE.sub("_", base.rsplit(".", 1)[0] if "." in base else base).strip("._-")
    return f"{(stem or 'ek')[:80]}.{kind}"


def upload_dir(data_dir: Path) -> Path:
    path = data_dir / UPLOAD_DIR
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.chmod(0o700)
    return path


class UploadRefused(Exception):
    """A file the page does not take: `reason` is "size" or "type"; `name` is sanitised."""

    def __init__(self, reason: str, name: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.reason = reason
        self.name = name


def check_file(name: str, content: bytes) -> tuple[str, str]:
    """(kind, safe name) of an acceptable file; `UploadRefused` otherwise."""
    if len(content) > MAX_BYTES:
        raise UploadRefused("size", safe_name(name, "")[:-1])
    kind = kind_of(content)
    if kind is None:
        raise UploadRefused("type", safe_name(name, "")[:-1])
    return kind, safe_name(name, kind)


def store_file(data_dir: Path, name: str, content: bytes) -> StoredFile:
    """Write one checked file (0600, a random name) and describe it."""
    kind, clean = check_file(name, content)
    stored = f"{secrets.token_hex(16)}.{kind}"
    path = upload_dir(data_dir) / stored
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
    return StoredFile(clean, stored, kind, len(content), hashlib.sha256(content).hexdigest())


def _stored_bytes(data_dir: Path, stored_name: str) -> bytes | None:
    """The bytes of a stored upload (a plain file in the upload directory), or None."""
    if not _STORED.fullmatch(stored_name):
        return None
    try:
        fd = os.open(
            data_dir / UPLOAD_DIR / stored_name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK
        )
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return None
        return handle.read(MAX_BYTES + 1)


def stored_sha256(data_dir: Path, stored_name: str) -> str | None:
    """SHA-256 of a stored upload as it is on disk now, or None when it is not there (or
    is not a plain file in the upload directory: a stored name is never trusted as a path)."""
    if not _STORED.fullmatch(stored_name):
        return None
    path = data_dir / UPLOAD_DIR / stored_name
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return None
        digest = hashlib.sha256()
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


class AttachedFile(Protocol):
    """What a stored attachment is known by (a row of `answer_attachment`, or its copy)."""

    @property
    def file_name(self) -> str: ...
    @property
    def stored_name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def sha256(self) -> str: ...


@dataclass(frozen=True, slots=True)
class AnswerFile:
    """A file attached to an answer, as the tracking screens list it."""

    id: int
    file_name: str
    stored_name: str
    kind: str
    size: int
    sha256: str


def letter_files(session: Session, letter_id: int) -> list[AnswerFile]:
    """The files attached to the answers of a letter, the newest answer's first."""
    rows = session.scalars(
        select(AnswerAttachment)
        .join(LetterAnswer, LetterAnswer.id == AnswerAttachment.answer_id)
        .where(LetterAnswer.letter_id == letter_id)
        .order_by(LetterAnswer.id.desc(), AnswerAttachment.id)
    )
    return [AnswerFile(a.id, a.file_name, a.stored_name, a.kind, a.size, a.sha256) for a in rows]


def save_copy(data_dir: Path, attachment: AttachedFile, folder: Path) -> Path:
    """Copy a stored attachment into `folder` (made when missing) under its own sanitised
    name, never over an existing file (`ad-2.pdf`, …), after checking that the stored bytes
    are still the ones the answer recorded (their SHA-256). Returns the new file's path."""
    content = _stored_bytes(data_dir, attachment.stored_name)
    if content is None or hashlib.sha256(content).hexdigest() != attachment.sha256:
        raise InvalidInput(
            _("Ek dosyası bulunamadı ya da kaydedildiğinden beri değişmiş: {name}").format(
                name=attachment.file_name
            )
        )
    name = safe_name(attachment.file_name, attachment.kind)
    stem, suffix = name.rsplit(".", 1)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    for n in range(1, 1000):
        target = folder / (name if n == 1 else f"{stem}-{n}.{suffix}")
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        return target
    raise InvalidInput(_("Klasörde bu adla çok fazla dosya var: {name}").format(name=name))
