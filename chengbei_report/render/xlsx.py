"""What every .xlsx the tool writes has in common: safe text and reproducible bytes.

Text may come from workbooks a clerk typed, so it must never turn into a formula; and writing
the same content twice must give the same bytes, so nothing may take the time from the clock.
"""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.writer.excel import ExcelWriter

from chengbei_report.render.output import deterministic_zip

CREATOR = "chengbei-report"


def put_text(cell: Cell, text: str) -> None:
    """Write text that stays text: ``=…`` from a clerk's cell must never become a formula.

    Characters XML cannot hold are dropped; empty text leaves the cell empty.
    """
    cleaned = ILLEGAL_CHARACTERS_RE.sub("", text)
    if cleaned:
        cell.value = cleaned
        cell.data_type = "s"


def utc_naive(when: datetime) -> datetime:
    """openpyxl stores document times as UTC without a zone; a naive ``when`` is taken as is."""
    if when.tzinfo is None:
        return when
    return when.astimezone(UTC).replace(tzinfo=None)


def workbook_bytes(workbook: Workbook, when: datetime) -> bytes:
    """The .xlsx bytes, with document times from ``when`` and a fixed ZIP layout.

    Saved through ``ExcelWriter`` because ``Workbook.save`` stamps the modified time with the
    clock.
    """
    stamp = utc_naive(when)
    workbook.properties.created = stamp
    workbook.properties.modified = stamp
    workbook.properties.creator = CREATOR
    workbook.properties.lastModifiedBy = CREATOR
    buffer = BytesIO()
    ExcelWriter(workbook, ZipFile(buffer, "w", ZIP_DEFLATED)).save()
    return deterministic_zip(buffer.getvalue(), when)
