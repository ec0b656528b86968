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
from decimal import Decimal
from pathlib import Path
from string import Formatter
from typing import Any, overload

from chengbei_report.errors import ReportError, TemplateError, UsageError, WorkspaceError
from chengbei_report.periods import Period
from chengbei_report.toml_text import toml_problem

CONFIG_FILE = "workspace.toml"
CATALOG_FILE = "catalog.toml"
SUBMISSIONS_DIR = "submissions"
TEMPLATES_DIR = "templates"

PACKAGE_DIR = Path(__file__).resolve().parent
# The built-in template for each period kind; [report.templates] or [report] template override it.
DEFAULT_TEMPLATES = {
    "Y": "work_summary_year.md.j2",
    "H": "work_summary.md.j2",
    "Q": "work_summary.md.j2",
    "M": "work_summary.md.j2",
}
_CONTROL = re.compile("[\x00-\x1f\x7f]")
PATTERN_FIELDS = ("unit", "period", "code")
OUTPUT_SUFFIXES = {"document": ".docx", "workpaper": ".xlsx"}
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
    first: Period | None = None  # [periods] first: earlier folders are history
    templates: dict[str, str] = field(default_factory=dict)  # [report.templates]: kind → name

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

    def template_name(self, period: Period) -> str:
        """The configured template of ``period``: ``[report.templates]`` for its kind, else
        ``[report] template``, else the built-in one for its kind (a year gets the annual one)."""
        kind = period.kind.value
        return self.templates.get(kind) or self.report.get("template") or DEFAULT_TEMPLATES[kind]

    def template_path(self, name: str) -> Path:
        """A template by name: the workspace's templates/ first, then the built-in ones."""
        found = confined_template(self.template_roots, name)
        if found is None:
            raise WorkspaceError(
                f"找不到模板“{name}”：已查找 {self.root / TEMPLATES_DIR} 和内置模板目录。",
                hint=f"请检查 {self.root / CONFIG_FILE} 中 [report] 的模板名。",
            )
        return found

    def template_for(self, period: Period, given: Path | None = None) -> Path:
        """The template to render ``period`` with; ``given`` is ``--template``.

        A bare name is looked up in the workspace's templates/, then the built-in ones, then
        the current folder; a path with a folder must exist. Either miss is a usage error.
        """
        if given is None:
            return self.template_path(self.template_name(period))
        if len(given.parts) == 1:
            found = confined_template(self.template_roots, given.name)
            found = found or (given if given.is_file() else None)
            if found is None:
                raise UsageError(
                    f"找不到模板“{given}”：已查找 {self.root / TEMPLATES_DIR}、内置模板目录和当前目录。",
                    hint="请写出模板文件的路径，或把模板放进工作区的 templates 目录。",
                )
            return found
        if not given.is_file():
            raise UsageError(f"找不到模板文件：{given}", hint="请检查 --template 给出的路径。")
        return given

    @property
    def official_layout(self) -> bool:
        """``[report] official_layout = false`` keeps a Word template's own page and fonts."""
        return self.report.get("official_layout", "True") == "True"  # a TOML bool, checked on open

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
        # a TOML float is read as the Decimal it is written as (0.1 stays 0.1; 1e999999 is no inf)
        return tomllib.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    except UnicodeDecodeError as exc:
        raise error(
            f"{path} 不是 UTF-8 编码，无法读取。",
            hint="请用记事本或 WPS 打开后“另存为”UTF-8 编码。",
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise error(
            f"{path} 格式错误，{toml_problem(str(exc))}。",
            hint="请用记事本打开该文件，按所说的行和列改正后重试。",
        ) from exc


def find_workspace(start: Path) -> Path | None:
    """The workspace ``start`` lies in, as git finds a repository: the nearest folder at or
    above ``start`` holding a ``workspace.toml``; None when there is none up to the root."""
    folder = start.expanduser().resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / CONFIG_FILE).is_file():
            return candidate
    return None


@dataclass(frozen=True)
class WorkspaceChoice:
    """Which workspace a command uses and why: given, found above the current folder, or the
    bundled sample (``bundled`` then tells the caller to say so)."""

    root: Path
    bundled: bool = False


def choose_workspace(given: Path | None, cwd: Path) -> WorkspaceChoice:
    """``--workspace`` when given, else the workspace ``cwd`` is in, else the bundled sample."""
    if given is not None:
        return WorkspaceChoice(given)
    found = find_workspace(cwd)
    if found is not None:
        return WorkspaceChoice(found)
    return WorkspaceChoice(bundled_path("sample_data"), bundled=True)


def open_workspace(root: Path | None = None) -> Workspace:
    """Load ``workspace.toml``; ``None`` means the bundled sample workspace."""
    folder = (root or bundled_path("sample_data")).expanduser()
    if folder.is_file() and folder.name == CONFIG_FILE:
        folder = folder.parent
    config_path = folder / CONFIG_FILE
    if folder.is_file():
        raise UsageError(
            f"{folder} 是一个文件，不是工作区目录。",
            hint=f"--workspace 应指定工作区所在的文件夹（其中有 {CONFIG_FILE}）。",
        )
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
    report = dict(data.get("report", {}))
    if not isinstance(report.get("official_layout", True), bool):
        raise WorkspaceError(
            f"{config_path} 中 [report] official_layout 须为 true 或 false（不加引号），"
            f"现为 {report['official_layout']!r}。"
        )
    templates = _templates(config_path, report.pop("templates", {}))
    workspace = Workspace(
        root=folder.resolve(),
        unit={k: str(v) for k, v in unit.items()},
        baseline=_period(config_path, data, "baseline", "2002"),
        first=_period(config_path, data, "first", None),
        report={k: str(v) for k, v in report.items()},
        templates=templates,
        limits=_table(config_path, data, "limits"),
    )
    _check_output_names(config_path, workspace)
    _ = workspace.signing_date  # a wrong date stops here, naming the setting
    return workspace


def _table(config_path: Path, data: dict[str, Any], key: str) -> dict[str, Any]:
    """A top-level table such as ``[limits]``; anything else under that key is an error."""
    raw = data.get(key, {})
    if not isinstance(raw, dict):
        raise WorkspaceError(f"{config_path} 中 {key} 应为一个表（[{key}]），现为 {raw!r}。")
    return dict(raw)


def _templates(config_path: Path, raw: object) -> dict[str, str]:
    """``[report.templates]``: a template name for each period kind (Y, H, Q, M)."""
    kinds = "、".join(DEFAULT_TEMPLATES)
    if not isinstance(raw, dict):
        raise WorkspaceError(f"{config_path} 中 [report.templates] 应为一个表，键为 {kinds}。")
    for key, value in raw.items():
        if key not in DEFAULT_TEMPLATES or not isinstance(value, str) or not value:
            raise WorkspaceError(
                f"{config_path} 中 [report.templates] 的“{key}”有误：键只能是 {kinds}"
                "（全年、半年、季度、月），值为模板文件名。"
            )
    return dict(raw)


def _plain_fields(pattern: str) -> bool:
    """Only bare ``{unit}``, ``{period}``, ``{code}``: no attribute, index, conversion or format."""
    try:
        parsed = list(Formatter().parse(pattern))
    except ValueError:  # an unmatched brace
        return False
    return all(
        field is None or (field in PATTERN_FIELDS and not spec and conversion is None)
        for _text, field, spec, conversion in parsed
    )


@overload
def _period(config_path: Path, data: dict[str, Any], key: str, default: str) -> Period: ...
@overload
def _period(config_path: Path, data: dict[str, Any], key: str, default: None) -> Period | None: ...
def _period(
    config_path: Path, data: dict[str, Any], key: str, default: str | None
) -> Period | None:
    """A period of ``[periods]`` (``baseline``, ``first``); ``default`` when the key is absent."""
    value = data.get("periods", {}).get(key, default)
    if value is None:
        return None
    text = str(value)
    try:
        return Period.parse(text)
    except UsageError as exc:
        raise WorkspaceError(f"{config_path} 中 [periods] {key} 的值“{text}”不是报告期。") from exc


def _check_output_names(config_path: Path, workspace: Workspace) -> None:
    """Refuse a pattern with unknown placeholders or one that would leave the output folder."""
    for key, value in {**workspace.unit, **workspace.report}.items():
        if _CONTROL.search(value) and key in (*OUTPUT_DEFAULTS, "template", "name"):
            raise WorkspaceError(
                f"{config_path} 中 {key} 的值含有换行符或控制字符（如 NUL），不能用作名称。",
                hint="请删去其中的换行符和不可见字符。",
            )
    for key in OUTPUT_DEFAULTS:  # the suffixes differ, so document and workpaper never collide
        pattern = workspace.report.get(key, OUTPUT_DEFAULTS[key])
        if not _plain_fields(pattern):
            raise WorkspaceError(
                f"{config_path} 中 [report] {key} 的文件名“{pattern}”有误：只能使用 {{unit}}、{{period}}、{{code}}。"
            )
        name = workspace.output_name(key, workspace.baseline)
        suffix = OUTPUT_SUFFIXES[key]
        if not name.lower().endswith(suffix) or len(name) == len(suffix):
            raise WorkspaceError(
                f"{config_path} 中 [report] {key} 的文件名“{pattern}”须以 {suffix} 结尾。",
                hint=f'如 {key} = "{OUTPUT_DEFAULTS[key]}"。',
            )
        if not name or "/" in name or "\\" in name or name in (".", "..") or name.startswith("."):
            raise WorkspaceError(
                f"{config_path} 中 [report] {key} 的文件名“{pattern}”不能包含目录或以“.”开头。"
            )
