"""Validate: check submissions against the catalog and report findings."""
