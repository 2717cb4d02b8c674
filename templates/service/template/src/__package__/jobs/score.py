"""`make score`: this repository's ML Test Score, computed from the repository itself.

Finds the pytest commands CI runs (through the workflows and `make --dry-run`), collects
each one to see which rubric-marked tests it selects, reads how they ended in CI's run
(`reports/junit.xml`, written by `make test`; the rubric-tagged alert-rule tests from
`reports/monitoring-test.json`, written by `make monitoring-test`), prints the thresholds
in force against their floors and the 28-row table with the reason for every lost point,
writes `reports/ml_test_score.json`, and exits 1 below the floor in `confs/ml_test_score.yaml` (or
`--floor`), when a threshold is loosened past its floor, or when CI leaves a rubric test
out or skips it. Nothing here knows what the score "should" be.
"""

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from ..io.floors import thresholds
from ..ml_test_score.evidence import gather
from ..ml_test_score.score import PASSED, ScoreConfig, compute, table
from ..yaml_parse import parse_yaml
from .process import exit_process


def _thresholds_in_force(root: Path) -> list[str]:
    """Print every floored threshold; return the problems of those past their floor."""
    print("Thresholds in force (confs/, floors in confs/floors.yaml):")
    found = []
    for threshold in thresholds(root):
        problem = threshold.problem()
        floor = f"{threshold.direction.replace('_', ' ')} {threshold.floor:g}"
        state = "PAST ITS FLOOR" if problem else "ok"
        value = threshold.value
        shown = f"{len(value)} entries" if isinstance(value, list | dict) else str(value)
        print(f"  {threshold.name:<58} {shown:>10}  floor: {floor:<16} {state}")
        found += [problem] if problem else []
    return found


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(description="Compute the ML Test Score of this repository.")
    parser.add_argument("--root", type=Path, default=Path())
    parser.add_argument("--config", type=Path, default=Path("confs/ml_test_score.yaml"))
    parser.add_argument("--output", type=Path, default=Path("reports/ml_test_score.json"))
    parser.add_argument("--floor", type=float, default=None, help="override the config's floor")
    args = parser.parse_args(argv)
    config = ScoreConfig.model_validate(parse_yaml((args.root / args.config).read_text()))
    floor = config.floor if args.floor is None else args.floor

    loosened = _thresholds_in_force(args.root)
    facts = gather(args.root)
    report = compute(facts.evidence, config, args.root)
    withheld = [e for e in facts.evidence if e.outcome != PASSED]
    report |= {"ci_pytest": [c.text for c in facts.commands], "loosened": loosened}

    print("\nML Test Score (Breck et al. 2017)")
    for command in facts.commands:
        print(f"CI runs `{command.text}` (from {command.source})")
    print("\n".join(facts.notes) or "CI runs no pytest command", end="\n\n")
    print(table(report))
    output = args.root / args.output
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {output}")
    failures = [f"threshold loosened: {problem}" for problem in loosened]
    for outcome in sorted({e.outcome for e in withheld}):
        tests = [e.nodeid for e in withheld if e.outcome == outcome]
        more = f" and {len(tests) - 3} more" if len(tests) > 3 else ""
        failures.append(f"{len(tests)} rubric test(s) {outcome}: {', '.join(tests[:3])}{more}")
    if not report["score"] >= floor:
        failures.insert(0, f"score {report['score']:.1f} is below the floor {floor}")
    for failure in failures:
        print(f"FAIL: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    exit_process(main())
