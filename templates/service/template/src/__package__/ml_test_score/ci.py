"""Which make targets CI runs: the workflows' `run:` steps, expanded through the Makefile.

A rubric check counts as automated only if CI reaches a make target whose recipe runs
pytest (CI calls the same targets people run, so this is the whole story).
"""

import re
from pathlib import Path
from typing import Any

import yaml

MAKE_CALL = re.compile(r"\bmake\s+((?:[\w.-]+\s*)+)")
RULE = re.compile(r"^([A-Za-z0-9_.-]+(?:\s+[A-Za-z0-9_.-]+)*)\s*:(?!=)\s*([^#]*)")


def workflow_targets(root: Path) -> set[str]:
    """Every make target a workflow runs, in a `run:` step or as a reusable workflow's input.

    The generated CI hands `make check` to `python-ci.yml` through `with:`, so inputs count.
    """
    targets: set[str] = set()
    for path in sorted((root / ".github" / "workflows").glob("*.y*ml")):
        workflow: dict[str, Any] = yaml.safe_load(path.read_text()) or {}
        for job in (workflow.get("jobs") or {}).values():
            commands = [str(value) for value in (job.get("with") or {}).values()]
            commands += [str(step.get("run", "")) for step in job.get("steps") or []]
            for command in commands:
                for match in MAKE_CALL.finditer(command):
                    targets |= {t for t in match.group(1).split() if not t.startswith("-")}
    return targets


def makefile_rules(root: Path) -> dict[str, tuple[set[str], str]]:
    """Target → (prerequisites, recipe text) from the project's Makefile."""
    rules: dict[str, tuple[set[str], str]] = {}
    current: list[str] = []
    for line in (root / "Makefile").read_text().splitlines():
        if line.startswith("\t"):
            for target in current:
                deps, recipe = rules[target]
                rules[target] = (deps, recipe + line.strip() + "\n")
            continue
        match = RULE.match(line)
        current = match.group(1).split() if match and not line.startswith(".") else []
        for target in current:
            rules[target] = (set((match.group(2) if match else "").split()), "")
    return rules


def ci_runs_pytest(root: Path) -> tuple[bool, list[str]]:
    """(whether CI reaches a recipe that runs pytest, the targets CI reaches)."""
    rules = makefile_rules(root)
    seen: set[str] = set()
    todo = sorted(workflow_targets(root))
    while todo:
        target = todo.pop()
        if target in seen or target not in rules:
            continue
        seen.add(target)
        todo += sorted(rules[target][0])
    runs = any(re.search(r"\bpytest\b", rules[target][1]) for target in seen)
    return runs, sorted(seen)
