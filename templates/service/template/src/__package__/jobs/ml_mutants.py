"""`make mutate-ml`: ML-specific bugs the test suite must catch (the repo tests its own tests).

Each mutant is a named, described source change, the kind of bug a generic mutation tool never
writes: training on the held-out rows, a non-regression gate that compares the model with
itself, a threshold loosened past its floor, serving that refits the preprocessing on the
request, a feature the model silently drops. Each is applied to a temporary copy of the
project (never to the working tree) and the tests that guard against it run there; a mutant
is killed when they fail, and SURVIVES (exit 1) when they pass. A mutant whose anchor is gone
(the team rewrote that code) is reported as "could not apply": update its anchor here.
"""

import argparse
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..core.schemas import FEATURES, NUMERIC, UNSEEN_AS_OTHER
from ..yaml_parse import parse_yaml
from .process import exit_process

logger = logging.getLogger(__name__)

PACKAGE = Path(__file__).resolve().parents[1].name
SRC = f"src/{PACKAGE}"
# Never copied: the environment, history, caches and outputs (tests write their own).
SKIPPED = shutil.ignore_patterns(
    ".venv", ".git", "__pycache__", "*_cache", "mutants", "mlruns", "artifacts", "reports"
)


@dataclass(frozen=True)
class Edit:
    """Replace the first `anchor` in `file` (a regular expression if `regex`) with `replacement`."""

    file: str
    anchor: str
    replacement: str
    regex: bool = False

    def find(self, text: str) -> tuple[int, int] | None:
        """Where the anchor is in `text`, or None."""
        if self.regex:
            found = re.search(self.anchor, text)
            return found.span() if found else None
        start = text.find(self.anchor)
        return (start, start + len(self.anchor)) if start >= 0 else None


@dataclass(frozen=True)
class Mutant:
    """One bug: what it is, how to make it, and the test files that must catch it."""

    name: str
    description: str
    edits: tuple[Edit, ...]
    tests: tuple[str, ...]


def mutants(
    features: Sequence[str] = FEATURES,
    numeric: Sequence[str] = NUMERIC,
    unseen_as_other: Sequence[str] = UNSEEN_AS_OTHER,
) -> list[Mutant]:
    """The shipped mutants; the dropped feature is one of the project's own."""
    dropped = next((f for f in features if f not in unseen_as_other), features[0])
    # Where build_features selects the dropped feature's columns: numeric, or categorical.
    if dropped in numeric:
        columns, kept = "list(NUMERIC)", f"[f for f in NUMERIC if f != {dropped!r}]"
    else:
        columns = "[f for f in CATEGORICAL if f not in other]"
        kept = f"[f for f in CATEGORICAL if f not in other and f != {dropped!r}]"
    refit = (
        "\n\ndef _refit_on_request(pipeline, features):  # type: ignore[no-untyped-def]\n"
        "    from sklearn.base import clone\n"
        "    from sklearn.pipeline import Pipeline\n\n"
        "    fresh = clone(pipeline[:-1]).fit(features)\n"
        "    return Pipeline([*fresh.steps, pipeline.steps[-1]])\n"
    )
    return [
        Mutant(
            "train-on-holdout",
            "the split is bypassed: the model is fitted on every row, held-out ones included",
            (
                Edit(
                    f"{SRC}/jobs/train.py",
                    ".fit(train.features, train.target)",
                    ".fit(dataset.features, dataset.target)",
                ),
            ),
            ("tests/core/test_model.py",),
        ),
        Mutant(
            "gate-compares-model-with-itself",
            "the non-regression gate reads the candidate's metric as production's",
            (
                Edit(
                    f"{SRC}/core/quality.py",
                    'before = float(production["metrics"][PRIMARY_METRIC])',
                    "before = float(metrics[PRIMARY_METRIC])",
                ),
            ),
            ("tests/core/test_quality.py",),
        ),
        Mutant(
            "threshold-loosened-past-floor",
            "confs/quality.yaml lets the primary metric fall by 1.0, past its floor in floors.yaml",
            (
                Edit(
                    "confs/quality.yaml",
                    r"(?m)^max_regression:[^\n#]*",
                    "max_regression: 1.0",
                    regex=True,
                ),
            ),
            ("tests/io/test_floors.py",),
        ),
        Mutant(
            "serving-refits-on-request",
            "the service refits the preprocessing on each request instead of the trained one",
            (
                Edit(
                    f"{SRC}/serve/scoring.py",
                    "predict(artifact.pipeline, features)",
                    "predict(_refit_on_request(artifact.pipeline, features), features)",
                ),
                Edit(f"{SRC}/serve/scoring.py", r"\n*\Z", refit, regex=True),
            ),
            ("tests/test_end_to_end.py", "tests/serve/test_predict_route.py"),
        ),
        Mutant(
            f"feature-dropped:{dropped}",
            f"the pipeline silently drops {dropped!r}: the model never sees it",
            (Edit(f"{SRC}/core/features.py", columns, kept),),
            ("tests/core/test_features.py", "tests/core/test_model_spec.py"),
        ),
    ]


def apply(mutant: Mutant, root: Path) -> str | None:
    """Write the mutant into the tree at `root`; the reason it cannot apply, or None."""
    staged: dict[Path, str] = {}
    for edit in mutant.edits:
        path = root / edit.file
        if not path.is_file():
            return f"{edit.file} is missing"
        text = staged.get(path, path.read_text())
        span = edit.find(text)
        changed = span and text[: span[0]] + edit.replacement + text[span[1] :]
        if not changed or changed == text:
            return f"{edit.file} no longer contains {edit.anchor!r}"
        staged[path] = changed
    for path, text in staged.items():
        path.write_text(text)
    return None


def copy_project(root: Path, into: Path) -> Path:
    """A copy of the project's files (not .venv, .git, caches, outputs) at `into`/project."""
    return Path(shutil.copytree(root, into / "project", ignore=SKIPPED, symlinks=True))


def data_env(root: Path) -> dict[str, str]:
    """The environment for a copy's tests: a data file outside the project is still found.

    `confs/data.yaml` may name a file relative to the project (`../data.csv`); from a copy in
    a temporary folder that path leads nowhere, so DATA_SOURCE (unless set) names it outright.
    """
    env = dict(os.environ)
    config = root / "confs" / "data.yaml"
    if "DATA_SOURCE" in env or not config.is_file():
        return env
    source = (parse_yaml(config.read_text()) or {}).get("source")
    if isinstance(source, str) and "://" not in source and (root / source).is_file():
        env["DATA_SOURCE"] = str((root / source).resolve())
    return env


def run_tests(tree: Path, tests: Sequence[str], env: dict[str, str]) -> tuple[int, list[str]]:
    """Run `tests` with pytest on `tree`'s code; its exit code and the failed test ids.

    `make test`'s pytest, without coverage or workers (a few files), stopping at the first
    failure. Test files the team moved or renamed: the whole suite runs instead.
    """
    junit = tree / "mutant-junit.xml"
    existing = [t for t in tests if (tree / t).exists()] or ["tests"]
    # The copy's src/ first: the environment's editable install points at the working tree.
    path = os.pathsep.join([str(tree / "src"), env.get("PYTHONPATH", "")])
    # The mutant names its tests: a PYTEST_ADDOPTS in the caller's shell must not add others.
    env = {k: v for k, v in env.items() if k != "PYTEST_ADDOPTS"} | {"PYTHONPATH": path}
    command = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *existing]
    done = subprocess.run(
        [*command, f"--junitxml={junit}"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    failed = []
    if junit.is_file():
        for case in ET.parse(junit).iter("testcase"):
            if case.find("failure") is not None or case.find("error") is not None:
                module = str(case.get("classname"))
                file = module.replace(".", "/") + ".py"
                failed.append(f"{file if (tree / file).is_file() else module}::{case.get('name')}")
    if done.returncode != 0 and not failed:
        failed.append(done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "pytest")
    return done.returncode, failed


def check(mutant: Mutant, root: Path) -> tuple[str, str]:
    """(verdict, detail) for one mutant, run on a fresh copy of `root`."""
    with tempfile.TemporaryDirectory(prefix="ml-mutant-") as scratch:
        tree = copy_project(root, Path(scratch))
        problem = apply(mutant, tree)
        if problem is not None:
            return "could not apply", problem
        code, failed = run_tests(tree, mutant.tests, data_env(root))
    if code == 0:
        return "SURVIVED", f"{', '.join(mutant.tests)} passed with the bug in"
    return "killed", "by " + ", ".join(failed)


def main(argv: Sequence[str] | None = None) -> int:
    """Check every mutant (or those named); 1 when one survives or cannot apply."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("names", nargs="*", help="mutants to check (default: all)")
    parser.add_argument("--root", type=Path, default=Path())
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    known = mutants()
    unknown = sorted(set(args.names) - {m.name for m in known})
    if unknown:
        logger.error("no mutant named %s; known: %s", unknown, ", ".join(m.name for m in known))
        return 2
    chosen = [m for m in known if not args.names or m.name in args.names]
    # The guards must pass without any mutant, or a "killed" would mean nothing.
    guards = sorted({t for m in chosen for t in m.tests})
    with tempfile.TemporaryDirectory(prefix="ml-mutant-") as scratch:
        tree = copy_project(args.root, Path(scratch))
        code, failed = run_tests(tree, guards, data_env(args.root))
    if code != 0:
        logger.error("the guarding tests fail without any mutant: %s", ", ".join(failed))
        return 2
    verdicts = []
    for mutant in chosen:
        verdict, detail = check(mutant, args.root)
        verdicts.append(verdict)
        logger.info("%-16s %s: %s", verdict, mutant.name, mutant.description)
        logger.info("%16s %s", "", detail)
    killed = verdicts.count("killed")
    logger.info("%d of %d ML mutants killed", killed, len(chosen))
    return 0 if killed == len(chosen) else 1


if __name__ == "__main__":
    exit_process(main())
