"""The workspace: a folder with workspace.toml, catalog.toml, templates/ and submissions/<period>/.

With no ``--workspace`` the bundled sample is used; it lives in the installed package
(``_bundled/``, put there by the wheel build) or, in a source checkout, next to the package.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from chengbei_report.errors import ReportError, TemplateError, UsageError, WorkspaceError
from chengbei_report.periods import Period

CONFIG_FILE = "workspace.toml"
CATALOG_FILE = "catalog.toml"
SUBMISSIONS_DIR = "submissions"
TEMPLATES_DIR = "templates"

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_TEMPLATE = "work_summary.md.j2"
_CONTROL = re.compile("[\x00-\x1f\x7f]")
OUTPUT_DEFAULTS = {
    "document": "{unit}{period}工作总结.docx",
    "workpaper": "{unit}{period}工作总结_底稿.xlsx",
}


def bundled_path(name: str) -> Path:
    """``sample_data`` or ``templates`` as shipped: inside the wheel, else the source tree."""
    installed = PACKAGE_DIR / "_bundled" / name
    return installed if installed.is_dir() else PACKAGE_DIR.parent / name


@dataclass(frozen=True)
class Workspace:
    root: Path
    unit: dict[str, str]
    baseline: Period
    report: dict[str, str] = field(default_factory=dict)
    limits: dict[str, Any] = field(default_factory=dict)

    @property
    def unit_name(self) -> str:
        return self.unit["name"]

    @property
    def catalog_path(self) -> Path:
        return self.root / CATALOG_FILE

    def period_dir(self, period: Period) -> Path:
        return self.root / SUBMISSIONS_DIR / period.code

    @property
    def template_roots(self) -> list[Path]:
        """The folders templates and their includes may come from: the workspace's, then ours."""
        return [self.root / TEMPLATES_DIR, bundled_path(TEMPLATES_DIR)]

    def template_path(self, name: str | None = None) -> Path:
        """A template by name: the workspace's templates/ first, then the built-in ones."""
        wanted = name or self.report.get("template", DEFAULT_TEMPLATE)
        found = confined_template(self.template_roots, wanted)
        if found is None:
            raise WorkspaceError(
                f"找不到模板“{wanted}”：已查找 {self.root / TEMPLATES_DIR} 和内置模板目录。"
            )
        return found

    @property
    def official_layout(self) -> bool:
        """``[report] official_layout = false`` keeps a Word template's own page and fonts."""
        return self.report.get("official_layout", "True") != "False"

    @property
    def signing_date(self) -> date | None:
        """``[report] date``: the 成文日期 under the signature; none without it."""
        text = self.report.get("date")
        return parse_signing_date(text, WorkspaceError) if text else None

    def output_name(self, key: str, period: Period) -> str:
        """The file name of an output; a plain name, checked when the workspace was opened."""
        pattern = self.report.get(key, OUTPUT_DEFAULTS[key])
        return pattern.format(unit=self.unit_name, period=period.full_label, code=period.code)


def confined_template(roots: Sequence[Path], name: str) -> Path | None:
    """The template ``name`` inside one of ``roots`` (resolved), or None when there is none.

    A name is a relative path with ``/`` between folders; an absolute path, ``..``, a backslash
    or a symlink whose target lies outside its folder is a ``TemplateError``, so a template can
    never bring /etc/passwd or the catalog into a document.
    """
    parts = name.split("/")
    if (
        not name
        or _CONTROL.search(name)
        or "\\" in name
        or name.startswith("/")
        or ":" in parts[0]
        or any(part in ("", ".", "..") for part in parts)
    ):
        shown = _CONTROL.sub("?", name)
        raise TemplateError(
            f"模板名“{shown}”不允许：模板只能是工作区 templates/ 或内置模板目录中的文件，"
            "不能使用绝对路径、“..”或反斜杠。"
        )
    for root in roots:
        candidate = root / name
        if not candidate.exists():
            continue
        real, base = candidate.resolve(), root.resolve()
        if not real.is_relative_to(base):
            raise TemplateError(
                f"模板“{name}”是指向 {real} 的链接，该文件在模板目录 {root} 之外，不能使用。"
            )
        if real.is_file():
            return real
    return None


def parse_signing_date(text: str, error: type[ReportError] = UsageError) -> date:
    """A 成文日期 written YYYY-MM-DD (2023-07-10); ``error`` names what is wrong."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise error(
            f"成文日期“{text}”不是有效的日期。", hint="请写成 YYYY-MM-DD，如 2023-07-10。"
        ) from exc


def read_toml(path: Path, error: type[ReportError]) -> dict[str, Any]:
    """A TOML file as a dict; encoding and syntax problems raise ``error`` naming the file."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise error(
            f"{path} 不是 UTF-8 编码，无法读取。",
            hint="请用记事本或 WPS 打开后“另存为”UTF-8 编码。",
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path} 格式错误：{exc}") from exc


def open_workspace(root: Path | None = None) -> Workspace:
    """Load ``workspace.toml``; ``None`` means the bundled sample workspace."""
    folder = (root or bundled_path("sample_data")).expanduser()
    config_path = folder / CONFIG_FILE
    if not folder.is_dir():
        raise UsageError(
            f"工作区目录不存在：{folder}", hint="用 chengbei-report init 目录 新建一个工作区。"
        )
    if not config_path.is_file():
        raise UsageError(
            f"{folder} 不是工作区：缺少 {CONFIG_FILE}。",
            hint="用 chengbei-report init 目录 新建一个工作区。",
        )
    data = read_toml(config_path, WorkspaceError)
    unit = data.get("unit", {})
    if "name" not in unit:
        raise WorkspaceError(f"{config_path} 缺少 [unit] 中的 name（单位名称）。")
    workspace = Workspace(
        root=folder.resolve(),
        unit={k: str(v) for k, v in unit.items()},
        baseline=_baseline(config_path, data),
        report={k: str(v) for k, v in data.get("report", {}).items()},
        limits=dict(data.get("limits", {})),
    )
    _check_output_names(config_path, workspace)
    _ = workspace.signing_date  # a wrong date stops here, naming the setting
    return workspace


def _baseline(config_path: Path, data: dict[str, Any]) -> Period:
    text = str(data.get("periods", {}).get("baseline", "2002"))
    try:
        return Period.parse(text)
    except UsageError as exc:
        raise WorkspaceError(
            f"{config_path} 中 [periods] baseline 的值“{text}”不是报告期。"
        ) from exc


def _check_output_names(config_path: Path, workspace: Workspace) -> None:
    """Refuse a pattern with unknown placeholders or one that would leave the output folder."""
    for key, value in {**workspace.unit, **workspace.report}.items():
        if _CONTROL.search(value) and key in (*OUTPUT_DEFAULTS, "template", "name"):
            raise WorkspaceError(
                f"{config_path} 中 {key} 的值含有换行符或控制字符（如 NUL），不能用作名称。",
                hint="请删去其中的换行符和不可见字符。",
            )
    names: dict[str, str] = {}
    for key in OUTPUT_DEFAULTS:
        pattern = workspace.report.get(key, OUTPUT_DEFAULTS[key])
        try:
            name = workspace.output_name(key, workspace.baseline)
        except (KeyError, IndexError, ValueError) as exc:
            raise WorkspaceError(
                f"{config_path} 中 [report] {key} 的文件名“{pattern}”有误：只能使用 {{unit}}、{{period}}、{{code}}。"
            ) from exc
        if not name or "/" in name or "\\" in name or name in (".", "..") or name.startswith("."):
            raise WorkspaceError(
                f"{config_path} 中 [report] {key} 的文件名“{pattern}”不能包含目录或以“.”开头。"
            )
        names[key] = name
    if names["document"].casefold() == names["workpaper"].casefold():
        raise WorkspaceError(
            f"{config_path} 中 [report] 的 document 与 workpaper 是同一个文件名“{names['document']}”，"
            "底稿会覆盖工作总结。",
            hint="请为两者取不同的文件名。",
        )
