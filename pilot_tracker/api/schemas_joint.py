"""Schemas of the joint life of a pilot: municipal decisions and the follow-up plan."""

from __future__ import annotations

from datetime import date

from marshmallow import Schema, fields

from pilot_tracker.api.fields import Length, Text, code_field, id_field
from pilot_tracker.api.schemas import PilotSchema, enum, out, page_schema
from pilot_tracker.domain.enums import Gate, Outcome
from pilot_tracker.domain.follow_up import ItemStatus, OwnerKind
from pilot_tracker.domain.municipal_decisions import Body
from pilot_tracker.services.follow_up import is_overdue


class MunicipalDecisionCreateSchema(Schema):
    """One municipality's own decision at a gate."""

    municipality = code_field(required=True)
    gate = enum(Gate, required=True)
    outcome = enum(Outcome, required=True)
    body = enum(Body, required=True)
    decided_on = fields.Date(required=True, data_key="date")
    section = Text(load_default="", validate=Length(max=40))
    minutes_url = Text(load_default="", validate=Length(max=2000))
    note = Text(load_default="", validate=Length(max=10_000))


class MunicipalDecisionSchema(Schema):
    """Dumps a MunicipalDecision loaded with its municipality."""

    id = out(fields.Integer)
    pilot_id = out(fields.Integer)
    municipality = out(fields.String, attribute="municipality_code")
    municipality_name = out(fields.String, attribute="municipality.name_fi")
    gate = out(enum, Gate)
    outcome = out(enum, Outcome)
    body = out(enum, Body)
    date = out(fields.Date, attribute="decided_on")
    section = out(fields.String)
    minutes_url = out(fields.String)
    note = out(fields.String)
    created_at = out(fields.AwareDateTime)


class MunicipalDecisionCreatedSchema(MunicipalDecisionSchema):
    pilot = out(
        fields.Nested,
        PilotSchema,
        metadata={"description": "The pilot after the decision, with its participants now."},
    )


class OwnerSchema(Schema):
    kind = enum(OwnerKind, required=True)
    code = code_field(
        allow_none=True,
        metadata={"description": "The owning municipality (only with kind municipality)."},
    )


class FollowUpCreateSchema(Schema):
    title = Text(required=True, validate=Length(1, 200))
    description = Text(load_default="", validate=Length(max=10_000))
    owner = fields.Nested(OwnerSchema, required=True)
    due_on = fields.Date(allow_none=True, load_default=None)
    decision_id = id_field(allow_none=True, load_default=None)


class FollowUpPatchSchema(Schema):
    status = enum(ItemStatus)
    comment = Text(validate=Length(max=10_000))
    title = Text(validate=Length(1, 200))
    due_on = fields.Date(allow_none=True)


class FollowUpCommentSchema(Schema):
    id = out(fields.Integer)
    text = out(fields.String)
    author_id = out(fields.Integer, allow_none=True)
    created_at = out(fields.AwareDateTime)


class OwnerOutSchema(Schema):
    kind = out(enum, OwnerKind, attribute="owner_kind")
    code = out(fields.String, allow_none=True, attribute="owner_municipality_code")


class FollowUpItemSchema(Schema):
    """Dumps a FollowUpItem loaded with its comments."""

    id = out(fields.Integer)
    pilot_id = out(fields.Integer)
    title = out(fields.String)
    description = out(fields.String)
    owner = out(
        fields.Function, lambda item: OwnerOutSchema().dump(item), metadata={"type": "object"}
    )
    due_on = out(fields.Date, allow_none=True)
    status = out(enum, ItemStatus)
    overdue = out(
        fields.Function,
        lambda item: is_overdue(item, date.today()),
        metadata={"type": "boolean", "description": "Past due and neither done nor dropped."},
    )
    decision_id = out(fields.Integer, allow_none=True)
    comments = out(fields.List, fields.Nested(FollowUpCommentSchema))
    created_at = out(fields.AwareDateTime)
    updated_at = out(fields.AwareDateTime)


MunicipalDecisionPageSchema = page_schema(MunicipalDecisionSchema, "MunicipalDecisionPage")
FollowUpItemPageSchema = page_schema(FollowUpItemSchema, "FollowUpItemPage")
