"""A page check for people: build the sample, convert it through LibreOffice, render every page.

    python scripts/page_check.py [--period 2023H1] [--date 2023-07-10] [--out out/page-check]

Writes the report, its PDF and one PNG a page (poppler's pdftoppm) into the output folder and
prints their paths, so that someone can look at the pages as the district will print them.
README's picture of page 1 is made by this script (``--dpi 60``).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from chengbei_report.commands.build import build_report
from chengbei_report.periods import Period
from chengbei_report.workspace import parse_signing_date


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--period", default="2023H1")
    parser.add_argument("--date", default="2023-07-10", help="成文日期 (YYYY-MM-DD)")
    parser.add_argument("--out", type=Path, default=Path("out/page-check"))
    parser.add_argument("--dpi", type=int, default=60)
    args = parser.parse_args(argv)
    if shutil.which("pdftoppm") is None:
        print("pdftoppm not found: install poppler-utils", file=sys.stderr)
        return 2
    result = build_report(
        Period.parse(args.period),
        out_dir=args.out,
        pdf=True,
        signed=parse_signing_date(args.date),
    )
    for finding in result.findings:
        print(f"[{finding.severity.value}] {finding.code}: {finding.message}", file=sys.stderr)
    if not result.ok or result.pdf is None:
        return 1
    prefix = args.out / "page"
    for old in args.out.glob("page-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(args.dpi), str(result.pdf), str(prefix)], check=True
    )
    print(result.document)
    print(result.pdf)
    for page in sorted(args.out.glob("page-*.png")):
        print(page)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
