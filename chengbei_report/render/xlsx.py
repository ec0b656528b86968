"""What every .xlsx the tool writes has in common: safe text and reproducible bytes.

Text may come from workbooks a clerk typed, so it must never turn into a formula; and writing
the same content twice must give the same bytes, so nothing may take the time from the clock.
Worksheets are serialised in memory: openpyxl's own temporary files would turn a full /tmp or a
file-size limit into an lxml error (and a second one printed at garbage collection).
"""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO
from typing import Any
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.worksheet._writer import WorksheetWriter
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
    return deterministic_zip(saved_bytes(workbook), when)


def saved_bytes(workbook: Workbook) -> bytes:
    """The workbook as .xlsx bytes, written without any temporary file."""
    buffer = BytesIO()
    _MemoryWriter(workbook, ZipFile(buffer, "w", ZIP_DEFLATED, allowZip64=True)).save()
    return buffer.getvalue()


class _MemoryWriter(ExcelWriter):  # type: ignore[misc]
    """openpyxl's writer with each worksheet serialised into memory instead of a temporary file."""

    def write_worksheet(self, ws: Any) -> None:
        if self.workbook.write_only:
            super().write_worksheet(ws)
            return
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        out = BytesIO()
        writer = WorksheetWriter(ws, out=out)
        writer.write()
        ws._rels = writer._rels
        self._archive.writestr(ws.path[1:], out.getvalue())
        self.manifest.append(ws)
