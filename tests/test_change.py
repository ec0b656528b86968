"""One definition of a change beyond a threshold, for validate's warnings and diff's flags."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chengbei_report.compute.change import beyond, relative_change


@pytest.mark.parametrize(
    ("old", "new", "kind", "threshold", "flagged"),
    [
        ("100", "151", "count", "0.5", True),  # +51% against 50%
        ("100", "150", "count", "0.5", False),  # exactly the threshold is not beyond it
        ("100", "49", "amount", "0.5", True),  # falls count too
        ("0.9762", "0.9843", "ratio", "0.005", True),  # +0.81 百分点 against 0.5 百分点
        ("0.9762", "0.9843", "ratio", "0.5", False),  # not +0.83% of itself, nor 50%
        ("0", "5", "count", "0.1", False),  # from nothing: no relative change
        ("2", "1", "rank", "0.1", False),  # ranks are not compared by ratio
    ],
)
def test_beyond_threshold(old: str, new: str, kind: str, threshold: str, flagged: bool) -> None:
    change = relative_change(Decimal(old), Decimal(new), kind)
    assert beyond(change, Decimal(threshold)) is flagged


def test_no_threshold_flags_nothing() -> None:
    assert not beyond(Decimal(1000), None)
