"""The one catalogue of the messages the domain and the services refuse with.

Each entry maps a stable code to a translatable template with named `%(params)s`; a
`pilot_tracker.domain.errors.Message` names the code and carries the values. Web forms, the
API, the importer's report and the command line render a message from here, so each is shown
in one language: the page's, the one the API request asked for, English on the command line.

Why a top-level module: the domain builds every message (its English text, for logs), the
services add theirs, and four blueprints (pilots, costs, exchange, api) and the CLI render
them; a module inside one blueprint would make the others import it, which the import
contract forbids, and one inside `domain/` would bring Flask-Babel into the pure rules. This
module imports nothing of the application when it is loaded: `english` is plain Python, and
`render` reaches Flask-Babel, the labels and the number formats only when it is called.

Parameters render by their type: a stage, gate or other enum by its label, `Cents` as money,
a `Decimal` as a number with its decimals, a list or tuple item by item, a nested `Message`
by its own entry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any


def N_(message: str) -> str:
    """Mark a template for extraction; it is translated when rendered."""
    return message


@dataclass(frozen=True)
class Entry:
    """A template; `plural` and `count` for one that agrees with a number; `sep` joins list
    parameters (", " unless the entry says otherwise)."""

    template: str
    plural: str | None = None
    count: str = "n"
    sep: str = ", "


def _ngettext_marks() -> None:  # pragma: no cover - only read by the extractor
    # The plural templates below, marked as plural pairs so the catalogues keep them so.
    from flask_babel import ngettext

    ngettext("%(codes)s is not a participant", "%(codes)s are not participants", 1)


CATALOGUE: dict[str, Entry] = {
    # Several messages about one field, one after the other.
    "joined": Entry(N_("%(items)s"), sep=" "),
    # --- domain/stages.py ------------------------------------------------------------------
    "final_stage_no_change": Entry(
        N_("The pilot is in its final stage, %(stage)s: its stage can no longer change.")
    ),
    "final_stage_no_decisions": Entry(
        N_("The pilot is in its final stage, %(stage)s: no further decisions can be recorded.")
    ),
    "scaling_needs_go": Entry(
        N_("A pilot moves to scaling only through a go decision at the scale_up gate.")
    ),
    "stopped_needs_no_go": Entry(N_("A pilot is stopped only through a no_go decision.")),
    "cannot_move_back": Entry(
        N_(
            "A pilot cannot move back from %(current)s to %(new)s; only a continue decision "
            "can send it back, and only to planning."
        )
    ),
    "gate_closed": Entry(
        N_(
            "A %(gate)s decision cannot be made while the pilot is in %(stage)s. "
            "Gates open in this stage: %(gates)s."
        )
    ),
    "gate_closed_evaluate_first": Entry(
        N_(
            "A %(gate)s decision cannot be made while the pilot is in %(stage)s. "
            "Gates open in this stage: %(gates)s. "
            "Scale-up is decided in evaluation: evaluate the pilot first."
        )
    ),
    "only_continue_back": Entry(N_("Only a continue decision can send a pilot back to planning.")),
    # --- domain/cost_split.py --------------------------------------------------------------
    "municipality_code_shape": Entry(
        N_("Municipality codes have three digits, such as 091; got %(code)s.")
    ),
    "weight_not_a_number": Entry(N_("The weight of %(code)s is not a number.")),
    "weight_negative": Entry(N_("The weight of %(code)s must not be negative.")),
    "split_total_negative": Entry(N_("The cost to split must not be negative.")),
    "split_no_participants": Entry(N_("There are no participants to split the cost between.")),
    "split_all_weights_zero": Entry(
        N_(
            "Every participant's weight is 0 (for example a population of 0), "
            "so there is nothing to split the cost by."
        )
    ),
    "share_decimals": Entry(
        N_("The share of %(code)s has more than two decimals; use at most two, e.g. 33.33.")
    ),
    "share_range": Entry(N_("The share of %(code)s must be between 0 and 100 %%.")),
    "share_not_a_percentage": Entry(
        N_("The share of %(code)s must be a percentage from 0 to 100, e.g. 33.33.")
    ),
    "shares_sum": Entry(
        N_("The shares add up to %(sum)s %%; they must add up to exactly 100.00 %%.")
    ),
    "equal_part_decimals": Entry(
        N_("The equal part has more than two decimals; use at most two, e.g. 30.00.")
    ),
    "equal_part_range": Entry(N_("The equal part must be a percentage from 0 to 100, e.g. 30.00.")),
    "population_whole_number": Entry(
        N_("The population of %(code)s must be a whole number of 0 or more.")
    ),
    "hybrid_no_population": Entry(
        N_(
            "A hybrid split needs populations for its per-capita part, but every "
            "participant's population is 0; update the municipality register or "
            "choose another method."
        )
    ),
    "unknown_split_method": Entry(N_("Unknown cost-split method %(method)s.")),
    "hybrid_needs_equal_part": Entry(N_("A hybrid split needs the percentage shared equally.")),
    "per_capita_no_population": Entry(
        N_(
            "A per-capita split needs populations, but every participant's population "
            "is 0; update the municipality register or choose another method."
        )
    ),
    "manual_needs_percentages": Entry(
        N_("A manual split needs a percentage for every participant.")
    ),
    "manual_shares_cover": Entry(
        N_("The manual shares must cover exactly the participants: %(problems)s."), sep="; "
    ),
    "manual_missing": Entry(N_("no percentage is given for %(codes)s")),
    "manual_extra": Entry(
        "%(codes)s is not a participant", plural="%(codes)s are not participants"
    ),
    "shares_differ": Entry(N_("The shares and the participants differ for %(codes)s.")),
    "cost_nobody_on_date": Entry(N_("No participant takes part in the costs on this date.")),
    # --- domain/money.py -------------------------------------------------------------------
    "money_boolean": Entry(N_("Expected a number, not true or false.")),
    "money_float": Entry(
        N_('Send the number as a string such as "12500.50", not as a floating-point number.')
    ),
    "money_type": Entry(N_("Expected a number.")),
    "value_negative": Entry(N_("The value must not be negative.")),
    "value_too_large": Entry(N_("The value is too large; the largest accepted is %(max)s.")),
    "value_not_finite": Entry(N_("The value must be a finite number.")),
    "value_decimals": Entry(N_("Use at most two decimals.")),
    "not_a_number": Entry(N_("“%(value)s” is not a number; write it like 12500.50 or 12 500,50.")),
    "decimal_comma": Entry(N_("Use at most two decimals (a comma is read as the decimal mark).")),
    "amount_negative": Entry(N_("The amount must not be negative.")),
    "amount_too_large_max": Entry(N_("The amount is too large; the largest accepted is %(max)s.")),
    "amount_format": Entry(N_("Enter an amount in euros, e.g. 12500.50 or 12 500,50.")),
    # --- domain/business_id.py -------------------------------------------------------------
    "business_id_shape": Entry(
        N_(
            "A business ID has seven digits, a hyphen and a check digit (NNNNNNN-C), "
            "such as 0201256-6."
        )
    ),
    "business_id_never_issued": Entry(
        N_(
            "%(value)s cannot be a business ID: its first seven digits are never issued "
            "(their checksum leaves remainder 1). Check the number."
        )
    ),
    "business_id_check_digit": Entry(
        N_(
            "The check digit of %(value)s is wrong: for %(body)s it should be %(expected)s, "
            "not %(check)s."
        )
    ),
    # --- domain/kpi.py ---------------------------------------------------------------------
    "kpi_baseline_not_finite": Entry(N_("The baseline must be a finite number.")),
    "kpi_target_not_finite": Entry(N_("The target must be a finite number.")),
    "kpi_latest_not_finite": Entry(N_("The latest value must be a finite number.")),
    "kpi_direction": Entry(N_("The direction must be increase or decrease, not %(direction)s.")),
    "kpi_target_equals_baseline": Entry(
        N_("The target must differ from the baseline; otherwise there is no progress.")
    ),
    "kpi_target_below": Entry(
        N_(
            "The target is below the baseline, but the KPI should increase; "
            "set a target above the baseline or choose decrease."
        )
    ),
    "kpi_target_above": Entry(
        N_(
            "The target is above the baseline, but the KPI should decrease; "
            "set a target below the baseline or choose increase."
        )
    ),
    # --- domain/by_year.py, domain/projection.py -------------------------------------------
    "spread_end_before_start": Entry(N_("The end is before the start.")),
    "spread_negative": Entry(N_("A negative amount cannot be spread.")),
    "projection_no_residents": Entry(N_("The participants have no residents in the register.")),
    "projection_unknown_basis": Entry(N_("Unknown basis %(basis)s.")),
    "projection_scope": Entry(N_("Use region, national or a list of codes.")),
    # --- domain/plausibility.py: refusals and warnings -------------------------------------
    "funding_above_budget": Entry(
        N_(
            "External funding cannot be larger than the budget: the net cost would hide the "
            "difference."
        )
    ),
    "decision_in_future": Entry(
        N_(
            "A decision is dated today or earlier; a future meeting is a next review, "
            "not a decision."
        )
    ),
    "measurement_in_future": Entry(N_("A measurement cannot be dated in the future.")),
    "measurement_too_early": Entry(N_("A measurement is dated 1 January 2000 or later.")),
    "budget_large": Entry(
        N_(
            "The budget %(budget)s is above 5 000 000 €. Check the amount: is it in euros, "
            "without extra digits?"
        )
    ),
    "budget_per_resident": Entry(
        N_(
            "The budget is %(per_resident)s per resident of the participating municipalities, "
            "above 500 € per resident. Check the amount and the participants."
        )
    ),
    "duplicate_name": Entry(N_("Another pilot is already called “%(name)s”.")),
    # --- domain/municipal_decisions.py -----------------------------------------------------
    "municipal_gate_closed": Entry(
        N_("A municipality cannot decide at this gate in the pilot's stage.")
    ),
    "municipality_has_left": Entry(N_("This municipality has already left the pilot.")),
    "newcomer_outside_scale_up": Entry(
        N_(
            "This municipality does not take part in the pilot; a newcomer can join only at "
            "the scale_up gate."
        )
    ),
    "lead_cannot_leave": Entry(
        N_("The lead municipality cannot leave; make another participant the lead first.")
    ),
    "leave_before_joining": Entry(
        N_("A municipality cannot leave before the day after it joined.")
    ),
    "invalid_section": Entry(N_("Write the section number as the minutes do, e.g. 45 or § 45.")),
    "invalid_minutes_url": Entry(
        N_("Give the minutes' web address, starting with https:// or http://.")
    ),
    # --- services/pilots.py ----------------------------------------------------------------
    "name_required": Entry(N_("A name is required.")),
    "name_too_long": Entry(N_("The name can be at most 200 characters.")),
    "summary_too_long": Entry(N_("The summary can be at most 10 000 characters.")),
    "text_language": Entry(N_("The language is fi, sv or en.")),
    "track_required": Entry(N_("Choose a track: this theme has no default track.")),
    "municipality_twice": Entry(N_("A municipality is listed twice.")),
    "participants_required": Entry(N_("At least one participating municipality is required.")),
    "too_many_participants": Entry(N_("There are only 308 municipalities.")),
    "unknown_municipality_codes": Entry(N_("Unknown municipality code(s): %(codes)s.")),
    "lead_not_participant": Entry(N_("The lead municipality must be one of the participants.")),
    "zero_or_more": Entry(N_("Must be zero or more.")),
    "amount_too_large": Entry(N_("The amount is too large.")),
    "end_before_start": Entry(N_("The end date cannot be before the start date.")),
    "no_such_vendor": Entry(N_("No vendor has the id %(id)s.")),
    "no_such_user": Entry(N_("No user has the id %(id)s.")),
    "funding_rate_range": Entry(N_("The rate is a percentage from 0 to 100.")),
    "new_pilot_final_stage": Entry(
        N_("A new pilot cannot start as scaling or stopped: that takes a decision.")
    ),
    "field_unchangeable": Entry(N_("This field cannot be changed.")),
    "participant_rejoining": Entry(
        N_("A municipality that has left the pilot cannot be added again.")
    ),
    # --- services/municipal_decisions.py, services/follow_up.py (the joint life) ------
    "decision_dated_today_or_earlier": Entry(
        N_("A decision is dated today or earlier; a future meeting is a next review.")
    ),
    "choose_registered_municipality": Entry(N_("Choose a municipality from the register.")),
    "item_title_required": Entry(N_("Give the item a title.")),
    "no_such_decision": Entry(N_("No decision of this pilot has that id.")),
    "item_status_choice": Entry(N_("Choose open, in progress, done or dropped.")),
    "lesson_text_required": Entry(N_("Write down what the pilot taught.")),
    # --- services/gate_meetings.py ----------------------------------------------------------
    "no_gate_open_for_meeting": Entry(
        N_("No gate is open for this pilot, so no meeting can be planned.")
    ),
    "meeting_gate_not_open": Entry(N_("Choose a gate open in the pilot's stage.")),
    "meeting_in_past": Entry(N_("A planned meeting is today or later; a held one is a decision.")),
    "meeting_too_far": Entry(N_("Plan the meeting at most five years ahead.")),
    "meeting_municipality_not_participant": Entry(
        N_("The meeting's municipality must be one of the participants.")
    ),
    "meeting_body_only_municipal": Entry(N_("Only a municipality's meeting names its body.")),
    "unknown_field": Entry(N_("Unknown field.")),
    # --- services/reporting.py --------------------------------------------------------------
    "number_required": Entry(N_("A number is required.")),
    "number_format": Entry(N_("Enter a number, e.g. 12.5.")),
    "number_too_many_digits": Entry(
        N_("Enter a number with at most 15 digits before the decimal point.")
    ),
    "number_decimals": Entry(N_("At most four decimals.")),
    "at_most_50": Entry(N_("At most 50 characters.")),
    "at_most_200": Entry(N_("At most 200 characters.")),
    "at_most_2000": Entry(N_("At most 2000 characters.")),
    "at_most_10000": Entry(N_("At most 10 000 characters.")),
    "status_text_required": Entry(N_("Describe the status in a few words.")),
    # --- services/decisions.py --------------------------------------------------------------
    "decision_body_required": Entry(N_("Name the body that decided (e.g. kunnanhallitus).")),
    "decision_rationale_required": Entry(N_("Write down the rationale of the decision.")),
    # --- services/costs.py -----------------------------------------------------------------
    "cost_date_range": Entry(N_("The date is between 2000-01-01 and 2100-12-31.")),
    "cost_zero": Entry(N_("The amount cannot be zero; a credit note is a negative amount.")),
    "cost_negative_total": Entry(
        N_("A credit note cannot make the pilot's actual costs negative.")
    ),
    "at_most_100": Entry(N_("At most 100 characters.")),
    "unknown_cost_kind": Entry(N_("Unknown kind.")),
    # --- services/exchange.py --------------------------------------------------------------
    "xlsx_too_large": Entry(N_("The workbook unpacks to more than 200 MB.")),
    "xlsx_unreadable": Entry(N_("The file is not a readable XLSX workbook.")),
    "csv_not_text": Entry(N_("The file is not a CSV text file.")),
    "csv_unreadable": Entry(N_("The CSV file cannot be read: %(reason)s.")),
    # --- services/users.py ----------------------------------------------------------
    "password_too_short": Entry(N_("The password must be at least %(minimum)s characters long.")),
    "password_too_long": Entry(N_("The password is too long (at most 1024 characters).")),
    "email_invalid": Entry(N_("%(email)s is not an e-mail address.")),
    "name_too_long_max": Entry(N_("The name is too long (at most %(max)s characters).")),
    "own_admin_role": Entry(N_("You cannot remove your own administrator role.")),
    "own_account_deactivation": Entry(N_("You cannot deactivate your own account.")),
    "current_password_wrong": Entry(N_("The current password is wrong.")),
    "new_password_same": Entry(N_("The new password must differ from the current one.")),
    "home_municipality_choice": Entry(N_("Choose a municipality from the list.")),
    "language_choice": Entry(N_("Choose Finnish, Swedish or English.")),
    "municipality_only_for_council": Entry(
        N_("Only a council user can be tied to a municipality.")
    ),
    "vendor_user_needs_vendor": Entry(N_("A vendor user must be tied to a vendor.")),
    "vendor_only_for_vendor_user": Entry(N_("Only a vendor user can be tied to a vendor.")),
    "unknown_role": Entry(N_("Unknown role %(role)s; use one of %(roles)s.")),
    "email_taken": Entry(N_("A user with the e-mail %(email)s already exists.")),
    "no_such_municipality": Entry(N_("No municipality has the code %(code)s.")),
    # --- services/vendors.py --------------------------------------------------------
    "vendor_name_required": Entry(N_("Enter the vendor's name.")),
    "business_id_required": Entry(N_("Enter the business ID (Y-tunnus), such as 0201256-6.")),
    "business_id_check_digit_short": Entry(
        N_("The check digit of %(value)s does not match; check the number.")
    ),
    "business_id_taken": Entry(N_("Another vendor already has the business ID %(value)s.")),
    # --- services/importer.py -------------------------------------------------------
    "import_not_a_date": Entry(N_("%(value)s is not a date; write it as 2026-01-15.")),
    "import_upload_one_xlsx_workbook_csv": Entry(
        N_("Upload one XLSX workbook, or CSV files, not both or several workbooks.")
    ),
    "import_there_no_pilots_table_pilots": Entry(
        N_("There is no pilots table (a pilots sheet or pilots CSV file).")
    ),
    "import_boolean": Entry(N_("Enter true or false.")),
    "import_date_has_time": Entry(N_("Enter a date without a time of day, such as 2026-01-15.")),
    "at_most_characters": Entry(N_("At most %(limit)s characters.")),
    "import_no_user_with_email": Entry(
        N_("No user has the e-mail %(email)s; create the user or clear the cell.")
    ),
    "unknown_municipality_code": Entry(N_("Unknown municipality code %(code)s.")),
    "import_not_a_coordinator": Entry(N_("%(email)s is not a coordinator.")),
    "import_new_vendor_needs_name": Entry(
        N_("%(id)s is a new vendor: give its name to create it.")
    ),
    "import_no_participants_participants_table_has": Entry(
        N_(
            "No participants: the participants table has no rows for %(ref)s (list at least "
            "the lead municipality)."
        )
    ),
    "import_progress_pilots": Entry(N_("Importing pilots")),
    "import_only_municipality_that_takes_part": Entry(
        N_("Only a municipality that takes part in the pilot can leave it.")
    ),
    "import_app_code_takes_part_from": Entry(
        N_(
            "In the app %(code)s takes part from %(joined)s to %(left)s; an import changes "
            "the membership only by a participant leaving or a newcomer joining."
        )
    ),
    "import_files_have_total_rows_import": Entry(
        N_(
            "The files have %(total)s rows; an import on this page takes at most %(max)s. "
            "Split the files, or import them with the command flask import-pilots."
        )
    ),
    "import_where_row": Entry(N_("row %(row)s")),
    "import_where_column": Entry(N_("column %(column)s")),
    "import_header_row_matches_none_tables": Entry(
        N_(
            "The header row matches none of the tables (%(names)s); its first row must name "
            "the columns."
        )
    ),
    "import_column_has_no_name": Entry(N_("A column has no name.")),
    "import_column_missing": Entry(N_("This column is missing.")),
    "import_municipality_code_shape": Entry(
        N_("A municipality code has three digits, such as 091.")
    ),
    "import_amount_format": Entry(N_("Enter an amount in euros, such as 12500,00.")),
    "import_percentage_format": Entry(N_("Enter a percentage from 0 to 100, such as 33,33.")),
    "import_number_format": Entry(N_("Enter a number, such as 12,5.")),
    "import_whole_number": Entry(N_("Enter a whole number.")),
    "import_not_an_email": Entry(N_("%(value)s is not an e-mail address.")),
    "import_snapshot_must_json_object": Entry(N_("The snapshot must be a JSON object ({...}).")),
    "import_row_has_more_cells_than": Entry(N_("The row has more cells than the header.")),
    "import_name_vendor_business_id_y": Entry(
        N_("Name the vendor by its business ID (Y-tunnus) too, such as 0201256-6.")
    ),
    "import_code_already_participant_row_row": Entry(
        N_("%(code)s is already a participant on row %(row)s.")
    ),
    "import_municipality_that_has_left_has": Entry(
        N_("A municipality that has left has no percentage.")
    ),
    "import_manual_split_needs_percentage_here": Entry(
        N_("A manual split needs a percentage here.")
    ),
    "import_ref_already_kpi_pilot_row": Entry(
        N_("%(ref)s is already a KPI of this pilot on row %(row)s.")
    ),
    "import_pilot_has_no_kpi_ref": Entry(N_("%(pilot)s has no KPI %(ref)s in the kpis table.")),
    "status_in_future": Entry(N_("A status update cannot be dated in the future.")),
    "progress_range": Entry(N_("Progress is a whole number from 0 to 100.")),
    "next_review_before_decision": Entry(N_("The next review cannot be before the decision.")),
    "import_pilot_has_no_follow_up": Entry(
        N_("%(pilot)s has no follow-up item %(ref)s in the follow_up_items table.")
    ),
    "import_ref_already_used_row_row": Entry(N_("%(ref)s is already used on row %(row)s.")),
    "import_stage_rules_decision_takes_pilot": Entry(
        N_(
            "By the stage rules this decision takes the pilot from %(before)s to %(allowed)s, "
            "not to %(after)s."
        )
    ),
    "import_pilot_stage_only_through_decision": Entry(
        N_(
            "A pilot is %(stage)s only through a decision; the decisions table has none for "
            "%(ref)s."
        )
    ),
    "import_last_decision_left_pilot_stage": Entry(
        N_("The last decision left the pilot in %(stage)s: %(reason)s")
    ),
    "import_decision_recorded_differently_app_recorded": Entry(
        N_(
            "This decision is recorded differently in the app; a recorded decision is not "
            "changed by an import. Record a new decision, or clear the uid."
        )
    ),
    "import_pilot_was_changed_app_after": Entry(
        N_(
            "The pilot was changed in the app after this file was exported (it is at version "
            "%(now)s, the file has %(file)s); nothing was overwritten. Export it again and "
            "make the change in the new file."
        )
    ),
    "import_no_decision_pilot_decisions_table": Entry(
        N_("No decision of this pilot in the decisions table has this uid.")
    ),
    "import_only_csv_xlsx_files_can": Entry(N_("Only .csv and .xlsx files can be imported.")),
    "import_file_cannot_read_reason": Entry(N_("The file cannot be read: %(reason)s")),
    "import_both_first_second_hold_sheet": Entry(
        N_("Both %(first)s and %(second)s hold the %(sheet)s table; upload it once.")
    ),
    "import_column_appears_twice": Entry(N_("This column appears twice.")),
    "import_value_not_uid_uuid_export": Entry(
        N_(
            "%(value)s is not a uid (a UUID, as the export writes it); leave the cell empty "
            "for a new row."
        )
    ),
    "import_value_not_one_allowed": Entry(N_("%(value)s is not one of %(allowed)s.")),
    "import_snapshot_not_valid_json": Entry(N_("The snapshot is not valid JSON.")),
    "import_cell_required": Entry(N_("This cell is required.")),
    "import_row_row_names_new_vendor": Entry(
        N_("Row %(row)s names the new vendor %(id)s differently (%(name)s).")
    ),
    "import_manual_percentages_are_only_split": Entry(
        N_("Manual percentages are only for the split method manual.")
    ),
    "import_snapshot_names_kpi_ref_which": Entry(
        N_("The snapshot names KPI %(ref)s, which is not in the kpis table for %(pilot)s.")
    ),
    "lessons_when": Entry(N_("Lessons are recorded at evaluation or with a decision.")),
    "import_code_not_participants_table_pilot": Entry(
        N_(
            "%(code)s is not in the participants table for %(pilot)s: list it there (a go at "
            "scale_up makes a newcomer join on its date)."
        )
    ),
    "owner_not_participant": Entry(N_("The owning municipality must be one of the participants.")),
    "only_municipality_owner_names": Entry(N_("Only a municipality owner names a municipality.")),
    "import_uid_already_row_row": Entry(N_("This uid is already on row %(row)s.")),
    "import_uid_belongs_row_another_pilot": Entry(
        N_("This uid belongs to a row of another pilot; clear it to add a new row.")
    ),
    "import_pilot_stage_app_reason": Entry(N_("The pilot is in %(stage)s in the app: %(reason)s")),
    "import_no_pilot_has_ref_ref": Entry(N_("No pilot has the ref %(ref)s in the pilots table.")),
    "import_unknown_column_columns_sheet_are": Entry(
        N_("Unknown column; the columns of %(sheet)s are %(names)s.")
    ),
    "import_value_not_strategic_goal_goals": Entry(
        N_("%(value)s is not a strategic goal; the goals are %(allowed)s.")
    ),
    "import_percentage_range": Entry(N_("A percentage is from 0 to 100.")),
    "import_no_go_makes_municipality_leave": Entry(
        N_(
            "A no_go makes the municipality leave on the decision's date: give %(code)s "
            "left_on %(date)s in the participants table."
        )
    ),
    "no_vendor_to_own": Entry(N_("The pilot has no vendor to own this item.")),
    "import_previous_decision_left_pilot_stage": Entry(
        N_("The previous decision left the pilot in %(stage)s: %(reason)s")
    ),
    "import_municipal_decision_recorded_differently_app": Entry(
        N_(
            "This municipal decision is recorded differently in the app; a recorded decision "
            "is not changed by an import. Record a new decision, or clear the uid."
        )
    ),
    "import_unknown_sheet_sheets_are_names": Entry(
        N_("Unknown sheet; the sheets are %(names)s. Rename or remove it.")
    ),
    "import_sheet_appears_twice": Entry(N_("This sheet appears twice.")),
    # --- the API's input checks: marshmallow's own messages (api/core.LIBRARY_MESSAGES) and
    # its validators' (api/fields.CatalogueTemplate) -----------------------------------------
    "input_required": Entry(N_("Missing data for required field.")),
    "input_null": Entry(N_("Field may not be null.")),
    "input_invalid": Entry(N_("Invalid value.")),
    "input_not_string": Entry(N_("Not a valid string.")),
    "input_not_utf8": Entry(N_("Not a valid utf-8 string.")),
    "input_not_integer": Entry(N_("Not a valid integer.")),
    "input_not_number": Entry(N_("Not a valid number.")),
    "input_number_too_large": Entry(N_("Number too large.")),
    "input_special_number": Entry(
        N_("Special numeric values (nan or infinity) are not permitted.")
    ),
    "input_not_boolean": Entry(N_("Not a valid boolean.")),
    "input_not_date": Entry(N_("Not a valid date.")),
    "input_not_time": Entry(N_("Not a valid time.")),
    "input_not_datetime": Entry(N_("Not a valid datetime.")),
    "input_not_list": Entry(N_("Not a valid list.")),
    "input_not_mapping": Entry(N_("Not a valid mapping type.")),
    "input_not_uuid": Entry(N_("Not a valid UUID.")),
    "input_invalid_type": Entry(N_("Invalid type.")),
    "input_invalid_input_type": Entry(N_("Invalid input type.")),
    "input_unknown_field": Entry(N_("Unknown field.")),
    "input_one_of": Entry(N_("Must be one of: %(choices)s.")),
    "input_number_between": Entry(
        N_("Must be greater than or equal to %(min)s and less than or equal to %(max)s.")
    ),
    "input_length_between": Entry(N_("Length must be between %(min)s and %(max)s.")),
    "input_length_max": Entry(N_("Longer than maximum length %(max)s.")),
    "input_length_min": Entry(N_("Shorter than minimum length %(min)s.")),
    "input_three_digits": Entry(N_("Three digits, e.g. 091.")),
    "input_two_digits": Entry(N_("Two digits, e.g. 06.")),
    "input_municipality_codes": Entry(N_("Municipality codes such as 091,049.")),
}


# --- rendering -------------------------------------------------------------------------------


def _english_value(value: Any, sep: str) -> str:
    from pilot_tracker.domain.errors import Cents

    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, Cents):
        return f"{Decimal(int(value)) / 100:.2f} €"
    if isinstance(value, list | tuple):
        return sep.join(_english_value(item, ", ") for item in value) or "–"
    return str(value)


def _template(entry: Entry, params: Mapping[str, Any], gettext: Callable[..., str]) -> str:
    if entry.plural is None:
        return gettext(entry.template)
    count = params.get(entry.count, 1)
    return gettext(entry.template, entry.plural, count)


def english(code: str, params: Mapping[str, Any]) -> str:
    """The English text with the raw values (stages by their code): for logs and `str()`."""
    entry = CATALOGUE.get(code)
    if entry is None:
        raise KeyError(f"no catalogue entry for the message code {code!r}")

    def untranslated(singular: str, plural: str | None = None, n: int = 1) -> str:
        return singular if plural is None or n == 1 else plural

    text = _template(entry, params, untranslated)
    if not params:
        return text
    return text % {key: _english_value(value, entry.sep) for key, value in params.items()}


def _value(value: Any, sep: str) -> str:
    from pilot_tracker.domain.errors import Cents, Message
    from pilot_tracker.language import i18n
    from pilot_tracker.language.labels import label

    if isinstance(value, Message):
        return render(value)
    if isinstance(value, Enum):
        return label(value)
    if isinstance(value, Cents):
        return i18n.money(int(value))
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        digits = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        return i18n.number(value, digits)
    if isinstance(value, list | tuple):
        return sep.join(_value(item, ", ") for item in value) or "–"
    return str(value)


def render(message: str) -> str:
    """A message in the reader's language: the request's (the page's, or the one an API
    request asked for); outside a request, the English text. A plain text (a form library's
    own message, already in the page's language) is returned as it is."""
    from flask import has_request_context

    from pilot_tracker.domain.errors import Message

    if not isinstance(message, Message) or not has_request_context():
        return str(message)
    entry = CATALOGUE[message.code]
    from pilot_tracker.language import i18n

    catalogue = i18n.translations()

    def translated(singular: str, plural: str | None = None, n: int = 1) -> str:
        if plural is None:
            return str(catalogue.ugettext(singular))
        return str(catalogue.ungettext(singular, plural, n))

    text = _template(entry, message.params, translated)
    if not message.params:
        return text
    return text % {key: _value(value, entry.sep) for key, value in message.params.items()}


def render_all(messages: list[str]) -> list[str]:
    """`render` over a list of messages."""
    return [render(m) for m in messages]
