"""Run every check over a period's submissions and collect the findings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chengbei_report.findings import Finding, Severity
from chengbei_report.periods import Period

if TYPE_CHECKING:
    from chengbei_report.build import Project


def validate_loaded_period(project: Project, period: Period) -> list[Finding]:
    """All findings for ``period``: what parsing found, then the catalog's checks."""
    data = project.period_data(period)
    findings = list(data.findings)
    catalog = project.catalog
    for department in catalog.departments.values():
        submission = data.by_department.get(department.code)
        expected = [
            i for i in catalog.reported(department.code) if period.kind.value in i.frequency
        ]
        if submission is None:
            if expected:
                findings.append(
                    Finding(
                        "FILE_MISSING_DEPARTMENT",
                        Severity.ERROR,
                        f"缺少“{department.name}”的{period.full_label}报表。",
                        hint=f"请把该部门的报表放进 {data.folder}。",
                    )
                )
            continue
        for indicator in expected:
            reported = submission.values.get(indicator.code)
            if reported is None:
                findings.append(
                    Finding(
                        "STRUCT_MISSING_INDICATOR",
                        Severity.ERROR,
                        f"缺少指标 {indicator.label}。",
                        submission.file,
                        "指标",
                        indicator=indicator.code,
                        hint="请在“指标”表中补上这一行。",
                    )
                )
            elif reported.value is None:
                findings.append(
                    Finding(
                        "CELL_NOT_NUMBER",
                        Severity.ERROR,
                        f"{indicator.name}的数值“{reported.raw}”不是数字。",
                        submission.file,
                        "指标",
                        reported.cell,
                        indicator.code,
                        hint="请填写阿拉伯数字，不要写“约”“待统计”等文字。",
                    )
                )
    return findings
