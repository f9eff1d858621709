"""Alerts: an outbox written with the mentions, then delivered to each configured channel."""
