"""`make mutate`: mutation testing (mutmut) of core/, io/ and serve/, held to a score floor.

mutmut changes the code one small edit at a time (a `<` for a `<=`, a constant, a dropped
call) and runs the tests that cover it; a mutant the tests still pass on "survives", and
points at behaviour nothing checks. The score is killed / tested mutants, and must stay at or
above `min_score` in confs/mutate.yaml (itself held to its floor in confs/floors.yaml).
mutmut works in a temporary copy of the project, so the working tree is never touched; it is
not a project dependency (`make mutate` brings a pinned version with `uv run --with`).
"""

import argparse
import json
import logging
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..yaml_parse import parse_yaml
from .ml_mutants import PACKAGE, copy_project, data_env
from .process import exit_process

logger = logging.getLogger(__name__)

CONFIG = Path("confs") / "mutate.yaml"
# tests/test_repository.py checks the repository (git, CI files), not the code mutated.
PYTEST_ARGS = ["--ignore=tests/test_repository.py", "-p", "no:cacheprovider"]
KILLED = ("killed", "timeout")
NOT_TESTED = ("skipped", "check_was_interrupted_by_user")


def score(stats: dict[str, int]) -> float | None:
    """Killed (or timed out) over mutants tested; None when none was."""
    tested = stats["total"] - sum(stats.get(key, 0) for key in NOT_TESTED)
    return sum(stats.get(key, 0) for key in KILLED) / tested if tested else None


def mutmut_config(tree: Path, paths: Sequence[str]) -> str:
    """The [tool.mutmut] table: mutate `paths` only, copy everything else tests read."""
    only = [f"{p.rstrip('/')}/*" if (tree / p).is_dir() else p for p in paths]
    copied = sorted(p.name for p in tree.iterdir() if p.name not in {"src", "mutants"})
    table: dict[str, Any] = {
        "source_paths": ["src"],
        "only_mutate": only,
        "also_copy": copied,
        "pytest_add_cli_args": PYTEST_ARGS,
    }
    return "\n[tool.mutmut]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in table.items())


def mutmut(tree: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the mutmut that `uv run --with` put beside this interpreter, in `tree`."""
    binary = Path(sys.executable).parent / "mutmut"
    command = [str(binary) if binary.exists() else shutil.which("mutmut") or "mutmut", *args]
    env = data_env(Path())
    return subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True, check=False)


def main(argv: Sequence[str] | None = None) -> int:
    """Mutate `paths`, print the score and every survivor; 1 below the floor."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    default = [f"src/{PACKAGE}/{part}" for part in ("core", "io", "serve")]
    parser.add_argument("paths", nargs="*", default=default, help="files or folders to mutate")
    parser.add_argument("--max-children", type=int, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    floor = float(parse_yaml(CONFIG.read_text())["min_score"])
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        logger.error("nothing to mutate at %s", ", ".join(missing))
        return 2
    with tempfile.TemporaryDirectory(prefix="mutate-") as scratch:
        tree = copy_project(Path(), Path(scratch))
        with (tree / "pyproject.toml").open("a") as pyproject:
            pyproject.write(mutmut_config(tree, args.paths))
        children = [f"--max-children={args.max_children}"] if args.max_children else []
        run = mutmut(tree, "run", *children)
        if run.returncode != 0:
            # mutmut first runs the suite unmutated: it must be green (`make test`).
            logger.error("mutmut run failed:\n%s", (run.stdout + run.stderr)[-4000:])
            return 2
        mutmut(tree, "export-cicd-stats")
        stats = json.loads((tree / "mutants" / "mutmut-cicd-stats.json").read_text())
        survivors = [
            line.strip().rsplit(": ", 1)[0]
            for line in mutmut(tree, "results").stdout.splitlines()
            if line.strip().endswith((": survived", ": no tests"))
        ]
        for name in survivors:
            logger.info("%s", mutmut(tree, "show", name).stdout.rstrip())
    value = score(stats)
    logger.info("mutants: %s", ", ".join(f"{k} {v}" for k, v in stats.items() if v))
    if value is None:
        logger.error("no mutant was tested in %s", ", ".join(args.paths))
        return 1
    verdict = "below" if value < floor else "meets"
    logger.info(
        "mutation score %.1f%% %s the floor %.1f%% (%s)", 100 * value, verdict, 100 * floor, CONFIG
    )
    return 1 if value < floor else 0


if __name__ == "__main__":
    exit_process(main())
