"""Helpers that more than one blueprint uses (forms, chart texts); blueprints import these,
never each other."""
