"""What every check needs: the catalog, the engine, the period and how to make a finding."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from chengbei_report.catalog import Catalog, Indicator
from chengbei_report.codes import FindingCode
from chengbei_report.compute.engine import Engine
from chengbei_report.findings import Finding
from chengbei_report.periods import Period
from chengbei_report.read.submission import Submission


@dataclass(frozen=True)
class CheckContext:
    """One validation run over the submissions of one period."""

    catalog: Catalog
    engine: Engine
    period: Period | None
    unit_name: str
    baseline: Period
    max_value: Decimal = Decimal(10) ** 15  # no figure of any indicator is larger, in its unit
    first: Period | None = None

    @property
    def is_baseline(self) -> bool:
        """Periods that only need what is present: the baseline (used for a few comparisons),
        and history — periods that begin before the workspace's ``first`` period."""
        if self.period == self.baseline:
            return True
        return (
            self.period is not None
            and self.first is not None
            and self.period.begins_before(self.first)
        )

    def expected(self, indicator: Indicator) -> bool:
        """Whether ``indicator`` must be reported in this period."""
        return self.period is not None and indicator.due_in(self.period)


def finding(
    submission: Submission | str, code: FindingCode, message: str | None = None, **where: str | None
) -> Finding:
    """A finding of ``code`` located in a submission (or a file name): ``sheet``, ``cell``,
    ``indicator``, ``hint`` or the fields of the code's templates."""
    return code.make(message, file=_file(submission), **where)


def _file(submission: Submission | str) -> str:
    return submission if isinstance(submission, str) else submission.file
