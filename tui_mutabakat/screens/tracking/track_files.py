"""F9 → "Yanıt ekini klasöre kaydet" in the letter list and the details (issue 15, point 5):
a file the counterparty attached on the answer page is copied to a folder the user types
(the stored copy stays where it is, outside anything served)."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from tui_mutabakat.domain.errors import ServiceError
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.screens.base import AppAccess
from tui_mutabakat.screens.dialogs.action_menu import ActionMenu, MenuItem
from tui_mutabakat.screens.dialogs.text_prompt import TextPrompt
from tui_mutabakat.services.portal.files import AnswerFile, letter_files, save_copy

#: The F9 menu entry (the same in the letter list and the details).
SAVE_FILE_ITEM: MenuItem = ("save_file", _("Yanıt ekini klasöre kaydet"), "")


def _size(size: int) -> str:
    return f"{size:,} B".replace(",", ".")


def default_folder(data_dir: Path) -> Path:
    return data_dir / "yanit-ekleri"


class AnswerFiles(AppAccess):
    """Mixed into a screen that knows its `current_letter()`."""

    def current_letter(self) -> int | None:
        raise NotImplementedError

    def action_save_file(self) -> None:
        letter_id = self.current_letter()
        if letter_id is None:
            return
        with self.database.reader() as session:
            files = letter_files(session, letter_id)
        if not files:
            self.notify(_("Bu mektubun yanıtlarında ek yok."), severity="warning")  # type: ignore[attr-defined]
            return
        if len(files) == 1:
            self._ask_folder(files[0])
            return
        by_id = {str(f.id): f for f in files}
        items: list[MenuItem] = [
            (str(f.id), f"{f.file_name} ({f.kind}, {_size(f.size)})", "") for f in files
        ]
        self.app.push_screen(  # type: ignore[attr-defined]
            ActionMenu(_("Hangi ek kaydedilsin?"), items),
            callback=lambda chosen: self._ask_folder(by_id[chosen]) if chosen in by_id else None,
        )

    def _ask_folder(self, item: AnswerFile) -> None:
        question = _("{name} hangi klasöre kaydedilsin?").format(name=item.file_name)
        folder = str(default_folder(Path(self.settings.data_dir)))
        self.app.push_screen(  # type: ignore[attr-defined]
            TextPrompt(question, folder), callback=partial(self._save, item)
        )

    def _save(self, item: AnswerFile, folder: str | None) -> None:
        if not folder:
            return
        try:
            path = save_copy(
                Path(self.settings.data_dir), item, Path(folder).expanduser().resolve()
            )
        except (ServiceError, OSError) as error:
            self.notify(str(error), severity="error", timeout=10)  # type: ignore[attr-defined]
            return
        self.notify(_("Ek kaydedildi: {path}").format(path=path), timeout=15)  # type: ignore[attr-defined]
