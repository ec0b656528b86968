"""Comparisons: figures between two periods, two versions of a workbook, a report against its data."""
