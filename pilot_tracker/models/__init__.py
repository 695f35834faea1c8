"""All models, importable from one place (Alembic's autogenerate needs them all loaded)."""

from pilot_tracker.models.aggregate import (
    DueEntry,
    KpiAttainment,
    MoneyYear,
    PilotTotal,
    PortfolioTotal,
)
from pilot_tracker.models.audit import AuditEntry
from pilot_tracker.models.base import Base
from pilot_tracker.models.cost import CostEntry, CostShare
from pilot_tracker.models.decision import Decision
from pilot_tracker.models.feedback import ResidentFeedback
from pilot_tracker.models.follow_up import FollowUpComment, FollowUpItem, Lesson
from pilot_tracker.models.gate_meeting import GateMeeting
from pilot_tracker.models.idempotency import IdempotencyRecord
from pilot_tracker.models.kpi import Kpi, Measurement
from pilot_tracker.models.mail import (
    AccountLink,
    CalendarFeed,
    NotificationSetting,
    OutboxMessage,
    ReminderLog,
)
from pilot_tracker.models.municipal_decision import MunicipalDecision
from pilot_tracker.models.municipality import Municipality
from pilot_tracker.models.pilot import Participation, Pilot, PilotGoal
from pilot_tracker.models.session import UserSession
from pilot_tracker.models.status import StatusUpdate
from pilot_tracker.models.user import ApiToken, User
from pilot_tracker.models.vendor import Vendor

__all__ = [
    "AccountLink",
    "ApiToken",
    "AuditEntry",
    "Base",
    "CalendarFeed",
    "CostEntry",
    "CostShare",
    "Decision",
    "DueEntry",
    "FollowUpComment",
    "FollowUpItem",
    "GateMeeting",
    "IdempotencyRecord",
    "Kpi",
    "KpiAttainment",
    "Lesson",
    "Measurement",
    "MoneyYear",
    "MunicipalDecision",
    "Municipality",
    "NotificationSetting",
    "OutboxMessage",
    "Participation",
    "Pilot",
    "PilotGoal",
    "PilotTotal",
    "PortfolioTotal",
    "ReminderLog",
    "ResidentFeedback",
    "StatusUpdate",
    "User",
    "UserSession",
    "Vendor",
]
