"""Settings in workspace.toml that are not what they claim to be stop the run with a named error."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from chengbei_report import cli


def _validate(workspace: Path, extra: str, first: str = "") -> tuple[int, str]:
    config = workspace / "workspace.toml"
    config.write_text(first + config.read_text(encoding="utf-8") + extra, encoding="utf-8")
    result = CliRunner().invoke(
        cli.app, ["validate", "--period", "2023H1", "--workspace", str(workspace)]
    )
    return result.exit_code, result.output


@pytest.mark.parametrize("value", ['"abc"', "[1]", "inf", "nan", "0.5", "true", "0", "-3"])
def test_a_limit_that_is_not_a_positive_whole_number_is_named(
    workspace_copy: Path, value: str
) -> None:
    code, output = _validate(workspace_copy, f"\n[limits]\nmax_sheets = {value}\n")
    assert code == 1, output
    assert "workspace.toml 的 [limits] 中 max_sheets 须为正整数" in output


def test_limits_that_is_not_a_table_is_named(workspace_copy: Path) -> None:
    code, output = _validate(workspace_copy, "", first="limits = 5\n")
    assert code == 1, output
    assert "limits 应为一个表" in output


def _with_catalog_formula(workspace: Path, formula: str) -> tuple[int, str]:
    catalog = workspace / "catalog.toml"
    text = catalog.read_text(encoding="utf-8")
    head, sep, rest = text.partition('formula = "')
    assert sep, "the sample catalog has a derived indicator"
    _, _, tail = rest.partition('"')
    catalog.write_text(f'{head}formula = "{formula}"{tail}', encoding="utf-8")
    return _validate(workspace, "")


@pytest.mark.parametrize("constant", ["1e999999", "1e101", "-1e-400"])
def test_a_constant_beyond_range_in_the_catalog_is_named(
    workspace_copy: Path, constant: str
) -> None:
    code, output = _with_catalog_formula(workspace_copy, f"1 * {constant}")
    assert code == 1, output
    assert f"常量“{constant.lstrip('-')}”超出可用范围（绝对值须在 10 的 ±100 次方以内）" in output
    assert "Traceback" not in output


def test_catalog_numbers_are_decimals_of_their_source_text(workspace_copy: Path) -> None:
    from decimal import Decimal

    from chengbei_report.catalog import load_catalog

    catalog = workspace_copy / "catalog.toml"
    written = "0.12345678901234567890123"  # more digits than a float holds
    catalog.write_text(
        catalog.read_text(encoding="utf-8").replace("threshold = 0.3", f"threshold = {written}", 1),
        encoding="utf-8",
    )
    thresholds = [i.threshold for i in load_catalog(catalog).indicators.values()]
    assert Decimal(written) in thresholds
