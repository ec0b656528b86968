"""The workspace: a folder with workspace.toml, catalog.toml, templates/ and submissions/<period>/.

With no ``--workspace`` the bundled sample is used; it lives in the installed package
(``_bundled/``, put there by the wheel build) or, in a source checkout, next to the package.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from chengbei_report.errors import UsageError, WorkspaceError
from chengbei_report.periods import Period

CONFIG_FILE = "workspace.toml"
CATALOG_FILE = "catalog.toml"
SUBMISSIONS_DIR = "submissions"
TEMPLATES_DIR = "templates"

_PACKAGE = Path(__file__).resolve().parent


def bundled_path(name: str) -> Path:
    """``sample_data`` or ``templates`` as shipped: inside the wheel, else the source tree."""
    installed = _PACKAGE / "_bundled" / name
    return installed if installed.is_dir() else _PACKAGE.parent / name


@dataclass(frozen=True)
class Workspace:
    root: Path
    unit: dict[str, str]
    baseline: Period
    report: dict[str, str] = field(default_factory=dict)
    limits: dict[str, int] = field(default_factory=dict)

    @property
    def unit_name(self) -> str:
        return self.unit["name"]

    @property
    def catalog_path(self) -> Path:
        return self.root / CATALOG_FILE

    def period_dir(self, period: Period) -> Path:
        return self.root / SUBMISSIONS_DIR / period.code

    def periods(self) -> list[Period]:
        """Periods that have a submissions folder, oldest first."""
        folder = self.root / SUBMISSIONS_DIR
        found = []
        for child in sorted(folder.iterdir()) if folder.is_dir() else []:
            try:
                found.append(Period.parse(child.name))
            except UsageError:
                continue
        return sorted(found)

    def template_path(self, name: str | None = None) -> Path:
        """A template by name: the workspace's templates/ first, then the built-in ones."""
        wanted = name or self.report.get("template", "work_summary.md.j2")
        for folder in (self.root / TEMPLATES_DIR, bundled_path(TEMPLATES_DIR)):
            if (folder / wanted).is_file():
                return folder / wanted
        raise WorkspaceError(
            f"找不到模板“{wanted}”：已查找 {self.root / TEMPLATES_DIR} 和内置模板目录。"
        )

    def output_name(self, key: str, period: Period) -> str:
        defaults = {
            "document": "{unit}{period}工作总结.docx",
            "workpaper": "{unit}{period}工作总结_底稿.xlsx",
        }
        pattern = self.report.get(key, defaults[key])
        return pattern.format(unit=self.unit_name, period=period.full_label, code=period.code)


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
    try:
        data = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise WorkspaceError(f"{config_path} 格式错误：{exc}") from exc
    unit = data.get("unit", {})
    if "name" not in unit:
        raise WorkspaceError(f"{config_path} 缺少 [unit] 中的 name（单位名称）。")
    baseline = data.get("periods", {}).get("baseline", "2002")
    return Workspace(
        root=folder.resolve(),
        unit={k: str(v) for k, v in unit.items()},
        baseline=Period.parse(str(baseline)),
        report={k: str(v) for k, v in data.get("report", {}).items()},
        limits={k: int(v) for k, v in data.get("limits", {}).items()},
    )
