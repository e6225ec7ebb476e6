"""Column mappings chosen by the user: from a JSON file, or saved under a name.

A mapping says which header holds which field, for the columns the usual words do not
find: `{"code": "Müşteri No", "title": "Firma"}`. A key is a field's name or its usual
header ("Cari Kodu"); the value is the header as the file writes it. Saved mappings live
in the database (`import_mapping`), so every user of the company finds them. An empty
header means "take this field from no column".
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from tui_mutabakat.data.import_models import ImportMapping
from tui_mutabakat.domain.errors import InvalidInput
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.services.context import Actor, record
from tui_mutabakat.services.importing.fields import Kind, fields_of, fold_header


def checked(kind: Kind, raw: object) -> dict[str, str]:
    """`raw` (parsed JSON) as field → header, refused when it names no field of `kind`."""
    if not isinstance(raw, dict):
        raise InvalidInput(_("Eşleme bir JSON nesnesi olmalı: alan adı → sütun başlığı."))
    by_key = {}
    for field in fields_of(kind):
        by_key[fold_header(field.name)] = field.name
        by_key[fold_header(field.header)] = field.name
    result: dict[str, str] = {}
    for key, header in raw.items():
        name = by_key.get(fold_header(str(key)))
        if name is None:
            known = ", ".join(f.header for f in fields_of(kind))
            raise InvalidInput(
                _("Eşlemede bilinmeyen alan: {key}. Alanlar: {known}").format(key=key, known=known)
            )
        if not isinstance(header, str):
            raise InvalidInput(_("Eşlemede {key} için sütun başlığı yazılmalı.").format(key=key))
        result[name] = header.strip()  # "": the field is not taken from any column
    return result


def load_mapping(session: Session, kind: Kind, name_or_path: str) -> dict[str, str]:
    """A mapping from a JSON file (when the path exists) or saved under that name."""
    path = Path(name_or_path)
    if path.suffix.lower() == ".json" or path.is_file():
        try:
            raw = json.loads(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeError, ValueError) as exc:
            raise InvalidInput(
                _("Eşleme dosyası okunamadı: {path}: {reason}").format(path=path, reason=exc)
            ) from exc
        return checked(kind, raw)
    saved = session.scalar(select(ImportMapping).where(ImportMapping.name == name_or_path))
    if saved is None:
        raise InvalidInput(_("{name} adında kayıtlı bir eşleme yok.").format(name=name_or_path))
    if saved.kind != kind.value:
        raise InvalidInput(
            _("{name} eşlemesi başka bir tür için kaydedilmiş ({kind}).").format(
                name=name_or_path, kind=saved.kind
            )
        )
    return checked(kind, json.loads(saved.columns))


def save_mapping(
    session: Session, actor: Actor, kind: Kind, name: str, columns: Mapping[str, str]
) -> None:
    """Save (or replace) a mapping under `name`."""
    name = name.strip()
    if not name or len(name) > 80:
        raise InvalidInput(_("Eşleme adı 1–80 karakter olmalı."))
    data = json.dumps(checked(kind, dict(columns)), ensure_ascii=False, sort_keys=True)
    saved = session.scalar(select(ImportMapping).where(ImportMapping.name == name))
    if saved is None:
        saved = ImportMapping(name=name, kind=kind.value, created_by=actor.login)
        session.add(saved)
    saved.kind = kind.value
    saved.columns = data
    session.flush()
    record(session, actor, "save", "import_mapping", saved.id, f"{name} {kind.value}")


def mapping_names(session: Session, kind: Kind | None = None) -> list[str]:
    query = select(ImportMapping.name).order_by(ImportMapping.name)
    if kind is not None:
        query = query.where(ImportMapping.kind == kind.value)
    return list(session.scalars(query))
