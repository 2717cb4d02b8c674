"""`make score`: this repository's ML Test Score, computed from the repository itself.

Runs every test marked `ml_test_score`, reads which make targets CI calls, prints the
28-row table, writes `reports/ml_test_score.json` and exits 1 below the floor in
`confs/ml_test_score.yaml` (or `--floor`). Nothing here knows what the score "should" be.
"""

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

import pytest
import yaml

from ..ml_test_score.ci import ci_runs_pytest
from ..ml_test_score.plugin import MARKER, Recorder
from ..ml_test_score.score import ScoreConfig, compute, table


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(description="Compute the ML Test Score of this repository.")
    parser.add_argument("--root", type=Path, default=Path())
    parser.add_argument("--config", type=Path, default=Path("confs/ml_test_score.yaml"))
    parser.add_argument("--output", type=Path, default=Path("reports/ml_test_score.json"))
    parser.add_argument("--floor", type=float, default=None, help="override the config's floor")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments")
    args = parser.parse_args(argv)
    config = ScoreConfig.model_validate(yaml.safe_load((args.root / args.config).read_text()))
    floor = config.floor if args.floor is None else args.floor

    recorder = Recorder()
    pytest_args = ["-q", "-p", "no:cacheprovider", "-m", MARKER, str(args.root / "tests")]
    exit_code = pytest.main(pytest_args + list(args.pytest_args), plugins=[recorder])
    if exit_code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        print(f"pytest could not run the checks (exit code {exit_code})")
        return 2
    in_ci, targets = ci_runs_pytest(args.root)
    report = compute(recorder.tests, in_ci, config, args.root)

    print("\nML Test Score (Breck et al. 2017)")
    print(f"CI runs make targets: {', '.join(targets) or 'none'}; runs pytest: {in_ci}\n")
    print(table(report))
    output = args.root / args.output
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {output}")
    if not report["score"] >= floor:
        print(f"FAIL: score {report['score']:.1f} is below the floor {floor}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
