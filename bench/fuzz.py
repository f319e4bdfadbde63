"""Fuzz: thousands of mutants of the toy scenario through load, checks, build and solve.

    python bench/fuzz.py [--n 2000] [--seed 1] [--no-solve] [--time-limit 5]

Each mutant (tests/scenario_mutants.py: mostly mild changes, some wild: tags, non-finite
numbers, wrong types, deleted or unknown keys) must either load and go through the pipeline,
or stop with the project's own error (a PlannerError: exit 2 or 1 in the CLI). Prints how
many loaded, how many were refused with the project's message, and every other exception
(with the mutant's text), which is a bug.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.scenario_mutants import as_text, mutate, outcome  # noqa: E402
from tests.test_scenario_validation import _toy_doc  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-solve", action="store_true")
    ap.add_argument("--time-limit", type=float, default=5.0)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    doc = _toy_doc()
    counts: Counter[str] = Counter()
    crashes = []
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.n):
            text = as_text(mutate(doc, rng), rng)
            try:
                counts[outcome(text, Path(tmp), not args.no_solve, args.time_limit)] += 1
            except Exception:  # anything but the project's own errors is a bug
                counts["crash"] += 1
                crashes.append((k, traceback.format_exc(limit=3), text))
            if (k + 1) % 200 == 0:
                print(
                    f"  {k + 1}/{args.n} {dict(counts)} {time.perf_counter() - start:.0f}s",
                    flush=True,
                )
    total = sum(counts.values())
    print(
        f"{total} mutants (seed {args.seed}, solve {not args.no_solve}): "
        f"{counts['loaded']} loaded ({counts['loaded'] / total:.0%}), {counts['error']} "
        f"refused with the project's message, {counts['crash']} other errors; "
        f"{time.perf_counter() - start:.0f}s"
    )
    for k, tb, text in crashes[:10]:
        print(f"\n--- mutant {k}\n{tb}\n{text}")


if __name__ == "__main__":
    main()
