"""`make bench-check`: `make bench` three times in a row, then each target judged on the median of
its three ratios, with the spread of the per-round ratios beside it. Timing stays out of the tests
and out of CI: this is the command to run before claiming a speed target.

    python -m bench.check [--runs 3] [any bench.run option, e.g. --rounds 9]
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Optional

from bench.run import ROOT, TARGETS, UNTARGETED


def judged(ratios_by_run: List[Dict[str, Optional[float]]]) -> List[tuple]:
    """(ratio, bound, at_most, the runs' values, their median, met) for every target."""
    rows = []
    for target, bound in TARGETS.items():
        ratio, _, kind = target.rpartition("_")
        values = [run.get(ratio) for run in ratios_by_run]
        present = [v for v in values if v is not None]
        middle = statistics.median(present) if present else None
        at_most = kind == "max"
        met = None if middle is None else (middle <= bound if at_most else middle >= bound)
        rows.append((ratio, bound, at_most, values, middle, met))
    return rows


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args, bench_args = parser.parse_known_args(argv)
    ratios_by_run, spreads_by_run = [], []
    with tempfile.TemporaryDirectory(prefix="bench-check-") as scratch:
        for run in range(args.runs):
            out = Path(scratch, str(run))
            print("bench-check: run %d of %d" % (run + 1, args.runs), flush=True)
            subprocess.run([sys.executable, "-m", "bench.run", *bench_args, "--out", str(out)], cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL)
            record = json.loads((out / "latest.json").read_text())
            ratios_by_run.append(record["ratios"])
            spreads_by_run.append(record.get("ratio_spreads", {}))
            (ROOT / "bench-results").mkdir(exist_ok=True)
            (ROOT / "bench-results" / ("check-run-%d.json" % (run + 1))).write_text(json.dumps(record, indent=2))
    print("\nbench-check: %d runs; each ratio's median across the runs decides (per-round min / max over all runs)\n"
          % args.runs)
    missed = 0
    for ratio, bound, at_most, values, middle, met in judged(ratios_by_run):
        rounds = [s[ratio] for s in spreads_by_run if ratio in s]
        low = min(r[0] for r in rounds) if rounds else float("nan")
        high = max(r[2] for r in rounds) if rounds else float("nan")
        shown = " ".join("%.2f" % v if v is not None else "-" for v in values)
        state = "n/a" if met is None else "met" if met else "MISSED"
        missed += met is False
        print("  %-38s runs %-17s median %6s  [%.2f .. %.2f]  %s %s %.2f" % (
            ratio, shown, "%.3f" % middle if middle is not None else "-", low, high, state,
            "<=" if at_most else ">=", bound))
    for ratio, (_, meaning) in UNTARGETED.items():
        shown_values = [run[ratio] for run in ratios_by_run if run.get(ratio)]
        if shown_values:
            print("  %-38s runs %-17s median %6.3f  (no target: %s)" % (
                ratio, " ".join("%.2f" % v for v in shown_values), statistics.median(shown_values), meaning))
    print("\nbench-check: %s" % ("every target met in the median" if not missed else "%d target(s) missed" % missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
