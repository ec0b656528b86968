"""Run the fuzz property of tests/test_fuzz.py for longer, with fresh randomness.

    python scripts/fuzz.py --minutes 10

Rounds of hypothesis examples run until the time is up; a failure stops with hypothesis's
falsifying example (the mutation) and exit code 1. At the end the counts are printed: examples
run, how many built and how many were refused, figures checked against openpyxl, and the
finding codes the mutations caused.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("fuzz_property", ROOT / "tests" / "test_fuzz.py")
assert _spec is not None and _spec.loader is not None
fuzz = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = fuzz  # dataclasses look their module up
_spec.loader.exec_module(fuzz)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--round", type=int, default=20, help="examples per hypothesis round")
    args = parser.parse_args()
    stats = fuzz.Stats()

    @settings(
        max_examples=args.round,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(fuzz.mutations())
    def one_round(mutation: object) -> None:
        fuzz.fuzz_once(mutation, stats)

    started = time.monotonic()
    while time.monotonic() - started < args.minutes * 60:
        one_round()
    elapsed = time.monotonic() - started
    print(
        f"examples {stats.examples} in {elapsed:.0f} s: built {stats.clean}, refused "
        f"{stats.refused}; figures checked against openpyxl {stats.figures_checked}"
    )
    for code, count in sorted(stats.codes.items(), key=lambda item: -item[1]):
        print(f"  {code:28} {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
