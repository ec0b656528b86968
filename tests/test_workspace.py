"""workspace.toml mistakes are named errors, never crashes, and outputs never leave --out."""

from __future__ import annotations

from pathlib import Path

import pytest

from chengbei_report.errors import UsageError, WorkspaceError
from chengbei_report.workspace import open_workspace

CONFIG = '[unit]\nname = "城北街道"\noffice = "城北街道办事处"\n'


def _workspace(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    (tmp_path / "workspace.toml").write_bytes(text.encode(encoding))
    return tmp_path


def test_minimal_config_uses_defaults(tmp_path: Path) -> None:
    workspace = open_workspace(_workspace(tmp_path, CONFIG))
    assert workspace.unit_name == "城北街道"
    assert workspace.baseline.code == "2002"
    assert workspace.first is None
    assert workspace.output_name("document", workspace.baseline) == "城北街道2002年工作总结.docx"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('[report]\ndocument = "{unit}{年度}.docx"\n', r"document 的文件名.*只能使用"),
        (
            '[report]\nworkpaper = "../../escaped/{unit}.xlsx"\n',
            r"workpaper 的文件名.*不能包含目录",
        ),
        ('[report]\ndocument = ".hidden.docx"\n', r"不能包含目录或以“\.”开头"),
        (
            '[report]\ndocument = "{unit.__class__}.docx"\n',
            r"“\{unit\.__class__\}\.docx”有误：只能使用",
        ),
        ('[report]\ndocument = "{unit!r}.docx"\n', r"只能使用 \{unit\}、\{period\}、\{code\}"),
        ('[report]\ndocument = "{unit:>40}.docx"\n', r"只能使用 \{unit\}"),
        ('[report]\ndocument = "{period[0]}.docx"\n', r"只能使用 \{unit\}"),
        (
            '[report]\ndocument = "{period}.xlsx"\n',
            r"document 的文件名“\{period\}\.xlsx”须以 \.docx 结尾",
        ),
        (
            '[report]\nworkpaper = "{period}底稿"\n',
            r"workpaper 的文件名“\{period\}底稿”须以 \.xlsx 结尾",
        ),
        ('[periods]\nbaseline = "改革前"\n', r"baseline 的值“改革前”不是报告期"),
        ('[periods]\nfirst = "今年"\n', r"first 的值“今年”不是报告期"),
        (
            '[report]\nofficial_layout = "false"\n',
            r"official_layout 须为 true 或 false（不加引号），现为 'false'",
        ),
        ("[report]\nofficial_layout = 0\n", r"official_layout 须为 true 或 false"),
        ("[unit\n", r"格式错误"),
    ],
)
def test_config_mistakes_are_named(tmp_path: Path, extra: str, message: str) -> None:
    with pytest.raises(WorkspaceError, match=message):
        open_workspace(_workspace(tmp_path, CONFIG + extra))


def test_config_saved_as_gbk_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="不是 UTF-8 编码"):
        open_workspace(_workspace(tmp_path, CONFIG, encoding="gbk"))


def test_missing_unit_name(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match=r"\[unit\] 中的 name"):
        open_workspace(_workspace(tmp_path, "[unit]\noffice = 'x'\n"))


def test_folder_without_config_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="不是工作区"):
        open_workspace(tmp_path)


@pytest.mark.parametrize(("value", "official"), [("true", True), ("false", False)])
def test_official_layout_is_a_toml_bool(tmp_path: Path, value: str, official: bool) -> None:
    config = CONFIG + f"[report]\nofficial_layout = {value}\n"
    assert open_workspace(_workspace(tmp_path, config)).official_layout is official
