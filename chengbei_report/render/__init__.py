"""Render: fill templates with figures and write the document and the working paper.

openpyxl imports numpy whenever it is installed (a quarter of a second: a third of a small
build's start) only to accept numpy scalars as cell values, which this package never writes.
Importing this package installs a one-shot import hook that runs openpyxl's own import with
numpy hidden; a later ``import numpy`` (pandas, a caller) works as usual.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType


class _OpenpyxlWithoutNumpy(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds openpyxl once, and executes it while ``import numpy`` fails."""

    def __init__(self) -> None:
        self.loader: importlib.abc.Loader | None = None

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != "openpyxl":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None or "numpy" in sys.modules:
            return spec
        self.loader, spec.loader = spec.loader, self
        return spec

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        assert self.loader is not None
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        assert self.loader is not None
        sys.modules["numpy"] = None  # type: ignore[assignment]  # makes ``import numpy`` fail
        try:
            self.loader.exec_module(module)
        finally:
            if sys.modules.get("numpy", 0) is None:
                del sys.modules["numpy"]
            module.__loader__ = self.loader  # resources and reloads go to the real loader
            if module.__spec__ is not None:
                module.__spec__.loader = self.loader


if "openpyxl" not in sys.modules and not any(
    isinstance(finder, _OpenpyxlWithoutNumpy) for finder in sys.meta_path
):
    sys.meta_path.insert(0, _OpenpyxlWithoutNumpy())
