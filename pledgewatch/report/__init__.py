"""The analysts' static report: ``pledgewatch report`` writes it, ``pledgewatch demo`` too."""

from pledgewatch.report.render import ReportError, ReportResult, build_report

__all__ = ["ReportError", "ReportResult", "build_report"]
