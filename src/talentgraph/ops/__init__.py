"""Talent operations: the operational store (users, pipeline, outreach, offers) and its services."""
