"""Downloader middlewares, one concern per module (each switches itself off via settings)."""
