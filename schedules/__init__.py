"""Scheduled work (follow-up nudges, digests)."""
