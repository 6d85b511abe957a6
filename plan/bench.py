"""Time parse() of the seed page: `python -m plan.bench` (writes docs/benchmarks.md).

Reports the median and the best of many timed runs (timeit), with and without the
gazetteer, and keeps the result in docs/benchmarks.md so a slow-down shows up in review.
The target is well under 50 ms per parse.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import statistics
import sys
import timeit
from collections.abc import Callable
from pathlib import Path

from . import load_gazetteer, parse

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_b4e0627ec94ce713.txt"
GAZETTEER = ROOT / "seeds" / "liaocheng.gazetteer.toml"
REPORT = ROOT / "docs" / "benchmarks.md"
TARGET_MS = 50.0


def measure(repeat: int = 50, number: int = 5) -> dict[str, tuple[float, float]]:
    """{case: (median ms, best ms)} over `repeat` rounds of `number` parses each."""
    text = SEED.read_text(encoding="utf-8")
    gazetteer = load_gazetteer(GAZETTEER)
    cases: dict[str, Callable[[], object]] = {
        "seed page, with gazetteer": lambda: parse(text, gazetteer=gazetteer),
        "seed page, no gazetteer": lambda: parse(text),
    }
    results = {}
    for name, fn in cases.items():
        fn()  # warm up (regular expressions compile once)
        rounds = timeit.repeat(fn, repeat=repeat, number=number)
        per_call = [r / number * 1000 for r in rounds]
        results[name] = (statistics.median(per_call), min(per_call))
    return results


def report(results: dict[str, tuple[float, float]], repeat: int, number: int) -> str:
    lines = [
        "# Benchmarks",
        "",
        "`python -m plan.bench` times `plan.parse()` on the seed newspaper page",
        f"(`seeds/{SEED.name}`, {SEED.stat().st_size} bytes) and rewrites this file.",
        f"Target: well under {TARGET_MS:.0f} ms per parse.",
        "",
        f"Last run: {dt.date.today().isoformat()}, Python {platform.python_version()}, "
        f"{platform.machine()}; {repeat} rounds of {number} parses.",
        "",
        "| case | median (ms) | best (ms) |",
        "|---|---:|---:|",
    ]
    for name, (median, best) in results.items():
        lines.append(f"| {name} | {median:.2f} | {best:.2f} |")
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--number", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    results = measure(args.repeat, args.number)
    text = report(results, args.repeat, args.number)
    print(text)
    if not args.no_write:
        REPORT.parent.mkdir(parents=True, exist_ok=True)
        REPORT.write_text(text, encoding="utf-8")
        print(f"written to {REPORT.relative_to(ROOT)}")
    slowest = max(median for median, _ in results.values())
    return 0 if slowest < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
