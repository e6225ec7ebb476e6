"""What child processes need started, with the terminal's stderr (not an interface's).

Kept apart from `send_now` (which loads the whole composing and sending machinery) so that
`mutabakat` can call it right after its first frame without importing any of that (the
app gives it the terminal's stderr back for the call, app.py).
"""

from __future__ import annotations

import logging
from multiprocessing import resource_tracker

log = logging.getLogger(__name__)


def prepare_child_processes() -> None:
    """Call before an interface takes over the standard streams (Textual replaces them
    with objects that have no file descriptor). multiprocessing starts a helper of its
    own, the resource tracker, with stderr's descriptor the first time a child process is
    made; started here, it is already running when a send needs the compose process."""
    try:
        resource_tracker.ensure_running()
    except (OSError, ValueError) as exc:
        log.warning("multiprocessing's resource tracker did not start: %s", exc)
