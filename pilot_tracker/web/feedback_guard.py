"""The feedback form's abuse checks, none of which tracks anyone.

- Rate limits on the limiter's shared store (Redis in production, like sign-in): per
  address and per pilot. The address is never stored: the counter is keyed by an HMAC of
  the day and the address under the app's secret, so a key is useless the next day, and
  every window is at most a day long, so the store forgets it within the day.
- A signed form token with the time the form was served: too fast (a script) or too old is
  refused, and it binds the answer to the pilot whose page served the form.
- A honeypot field that people never see.

Each check only answers yes or no; the view gives one and the same answer to every refusal.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from datetime import date

from flask import current_app
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, URLSafeSerializer
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

from pilot_tracker.extensions import limiter

log = logging.getLogger(__name__)
HONEYPOT = "website"
MAX_FORM_AGE = 24 * 3600
# If the shared store is away: count in this process rather than let a flood through.
_fallback = FixedWindowRateLimiter(MemoryStorage())


def daily_key(address: str | None = None, day: date | None = None) -> str:
    """The address as today's salted hash (the HMAC of the day and the address)."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    message = f"{(day or date.today()).isoformat()}|{address or get_remote_address()}"
    return hmac.new(secret, message.encode(), hashlib.sha256).hexdigest()[:32]


def _limits(setting: str) -> list[RateLimitItem]:
    items = parse_many(str(current_app.config[setting]))
    too_long = [i for i in items if i.get_expiry() > 24 * 3600]
    if too_long:  # a longer window would keep the day's hash past the day
        raise ValueError(f"{setting}: windows longer than a day are not allowed")
    return items


def _hit(items: list[RateLimitItem], *identifiers: str) -> bool:
    """Count one hit against every item; False if any is past its limit."""
    ok = True
    for item in items:
        try:
            allowed = limiter.limiter.hit(item, *identifiers)
        except Exception:  # the store is down: count locally instead
            log.warning("rate limit store unavailable; counting feedback in memory")
            allowed = _fallback.hit(item, *identifiers)
        ok = ok and allowed
    return ok


def within_limits(pilot_id: int) -> bool:
    """Per address first; only an address within its limit counts against the pilot's, so
    one address's flood cannot use up the pilot's allowance for everybody else."""
    if not _hit(_limits("FEEDBACK_ADDRESS_LIMIT"), "feedback-address", daily_key()):
        return False
    return _hit(_limits("FEEDBACK_PILOT_LIMIT"), "feedback-pilot", str(pilot_id))


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(str(current_app.config["SECRET_KEY"]), salt="resident-feedback")


def form_token(pilot_id: int, issued: float | None = None) -> str:
    """The hidden token of the form: the pilot and when the form was served, signed."""
    return str(_serializer().dumps([pilot_id, int(issued if issued is not None else time.time())]))


def token_ok(token: str, pilot_id: int, now: float | None = None) -> bool:
    """Signed, for this pilot, filled in no faster than FEEDBACK_MIN_SECONDS, under a day."""
    try:
        value = _serializer().loads(token or "")
    except BadSignature:
        return False
    if not (isinstance(value, list) and len(value) == 2 and all(type(v) is int for v in value)):
        return False
    token_pilot, issued = value
    age = (now if now is not None else time.time()) - issued
    minimum = float(current_app.config["FEEDBACK_MIN_SECONDS"])
    return token_pilot == pilot_id and minimum <= age <= MAX_FORM_AGE


def honeypot_empty(form: dict[str, str] | object) -> bool:
    """The field only a form-filling robot sees and fills."""
    return not str(getattr(form, "get", lambda *_: "")(HONEYPOT, "") or "").strip()
