"""Shared plumbing of the dlt sources: HTTP with retries, quarantine, PII hashing, validation."""
