"""When a signed-in session ends: after an idle time and after an absolute lifetime.

Pure: times in, a verdict out. `pilot_tracker/services/sessions.py` applies it to the stored
session rows on every request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class SessionState(StrEnum):
    """What a session is at a given moment."""

    LIVE = "live"
    IDLE = "idle"  # no request for longer than the idle timeout
    EXPIRED = "expired"  # older than the absolute lifetime, however busy


@dataclass(frozen=True)
class SessionPolicy:
    """The idle timeout, the absolute lifetime and how often `last_seen_at` is written."""

    idle_timeout: timedelta
    lifetime: timedelta
    # Writing last_seen_at on every request would turn every page view into a write; the
    # idle timeout is then exact to within this granularity.
    touch_every: timedelta = timedelta(minutes=1)

    def __post_init__(self) -> None:
        if self.idle_timeout <= timedelta(0) or self.lifetime <= timedelta(0):
            raise ValueError("the idle timeout and the lifetime must be positive")
        if self.touch_every < timedelta(0) or self.touch_every >= self.idle_timeout:
            raise ValueError("last_seen_at must be written more often than the idle timeout")


def session_state(
    policy: SessionPolicy, created_at: datetime, last_seen_at: datetime, now: datetime
) -> SessionState:
    """EXPIRED past the lifetime (checked first), IDLE past the idle timeout, else LIVE.

    A moment exactly at a limit still counts as inside it.
    """
    if now - created_at > policy.lifetime:
        return SessionState.EXPIRED
    if now - last_seen_at > policy.idle_timeout:
        return SessionState.IDLE
    return SessionState.LIVE


def needs_touch(policy: SessionPolicy, last_seen_at: datetime, now: datetime) -> bool:
    """Whether this request should record itself as the session's latest activity."""
    return now - last_seen_at >= policy.touch_every
