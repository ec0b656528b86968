"""Progress reporting without printing: the library calls back, the caller decides what to show.

Loading a period folder of large workbooks takes seconds; the command line turns these calls
into a progress bar, tests record them, and every other caller passes nothing.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Called as work advances: ``label`` says what is being done, ``done`` of ``total`` units."""

    def __call__(self, label: str, done: int, total: int) -> None: ...
