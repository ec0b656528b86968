"""chengbei-report: the half-year work summary of 城北街道, built from departmental workbooks."""

__version__ = "0.1.0"
