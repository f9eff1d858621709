"""pledgewatch: the county's 2022 pledges against what the Linfen press reports."""

__version__ = "0.1.0"
