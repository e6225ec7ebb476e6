"""Rate limits of the answer page: per client address and per link, in fixed windows of a
minute (pages) and an hour (answers sent), kept in memory (one process serves the page)."""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field


@dataclass
class RateLimiter:
    #: Requests of one address in a minute.
    per_address: int = 120
    #: Page views of one link in a minute.
    per_link: int = 60
    #: Answers posted to one link in an hour (a refused form counts too).
    posts_per_link: int = 20
    _counts: dict[tuple[str, str, int], int] = field(default_factory=lambda: defaultdict(int))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _window: int = -1

    def allow(self, address: str, token: str, post: bool, now: float) -> bool:
        minute, hour = int(now // 60), int(now // 3600)
        with self._lock:
            if minute != self._window:
                # Forget every window but the current ones.
                self._counts = defaultdict(
                    int, {k: v for k, v in self._counts.items() if k[2] in (minute, hour)}
                )
                self._window = minute
            keys = [(("a", address, minute), self.per_address)]
            if post:
                keys.append((("p", token, hour), self.posts_per_link))
            else:
                keys.append((("l", token, minute), self.per_link))
            if any(self._counts[key] >= limit for key, limit in keys):
                return False
            for key, _limit in keys:
                self._counts[key] += 1
            return True
