"""The main screen's count of answers and bounces nobody has looked at yet.

Apart from `tracking` (which loads the mailbox reader and the templates) so that the first
frame does not wait for those imports.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tui_mutabakat.data.tracking_models import BounceNotice, LetterAnswer


def unseen_counts(session: Session) -> tuple[int, int]:
    """(answers, bounces) nobody has looked at yet: the count on the main screen."""
    answers = session.scalar(select(func.count()).where(LetterAnswer.seen_at.is_(None)))
    bounces = session.scalar(select(func.count()).where(BounceNotice.seen_at.is_(None)))
    return int(answers or 0), int(bounces or 0)
