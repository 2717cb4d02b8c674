"""Which make targets CI runs: the pipeline's commands, expanded through the Makefile.

The pipeline is GitHub Actions (`.github/workflows/`) or GitLab CI (`.gitlab-ci.yml`).

A rubric check counts as automated only if CI reaches a make target whose recipe runs
pytest (CI calls the same targets people run, so this is the whole story).
"""

import re
from pathlib import Path
from typing import Any

import yaml

MAKE_CALL = re.compile(r"\bmake\s+((?:[\w.-]+\s*)+)")
RULE = re.compile(r"^([A-Za-z0-9_.-]+(?:\s+[A-Za-z0-9_.-]+)*)\s*:(?!=)\s*([^#]*)")


class _GitlabLoader(yaml.SafeLoader):
    """Loads GitLab's `!reference [job, key]` tags as plain lists instead of failing on them."""


def _reference(loader: yaml.SafeLoader, node: yaml.Node) -> list[Any]:
    """`!reference [job, key]` as the plain list it names; the reference is not followed."""
    return loader.construct_sequence(node) if isinstance(node, yaml.SequenceNode) else []


_GitlabLoader.add_constructor("!reference", _reference)


def github_commands(root: Path) -> list[str]:
    """Every `run:` step and reusable-workflow input of the GitHub Actions workflows.

    The generated CI hands `make check` to `python-ci.yml` through `with:`, so inputs count.
    """
    commands: list[str] = []
    for path in sorted((root / ".github" / "workflows").glob("*.y*ml")):
        workflow: dict[str, Any] = yaml.safe_load(path.read_text()) or {}
        for job in (workflow.get("jobs") or {}).values():
            commands += [str(value) for value in (job.get("with") or {}).values()]
            commands += [str(step.get("run", "")) for step in job.get("steps") or []]
    return commands


def _variable_values(variables: Any) -> list[str]:
    """A GitLab `variables:` map's values; a variable may be `{value: ..., description: ...}`."""
    if not isinstance(variables, dict):
        return []
    return [str(v.get("value", "") if isinstance(v, dict) else v) for v in variables.values()]


def gitlab_commands(root: Path) -> list[str]:
    """Every script line and variable of `.gitlab-ci.yml`'s jobs and `default:`.

    The generated pipeline runs `bash -c "$CHECK_COMMAND"` with `CHECK_COMMAND: make check`,
    so variables count, as reusable-workflow inputs do on GitHub. Hidden jobs (`.name`) never
    run by themselves and are skipped; `extends:` and `!reference` are not followed, so a
    command reached only through them is not counted (the score errs low, never high).
    """
    path = root / ".gitlab-ci.yml"
    if not path.is_file():
        return []
    pipeline: dict[str, Any] = yaml.load(path.read_text(), Loader=_GitlabLoader) or {}
    commands: list[str] = []
    for key, value in pipeline.items():
        if not isinstance(value, dict) or str(key).startswith("."):
            continue
        if key == "variables":
            commands += _variable_values(value)
            continue
        for field in ("before_script", "script", "after_script"):
            lines = value.get(field) or []
            commands += [str(line) for line in ([lines] if isinstance(lines, str) else lines)]
        commands += _variable_values(value.get("variables"))
    return commands


def workflow_targets(root: Path) -> set[str]:
    """Every make target the CI pipeline (GitHub Actions or GitLab CI) runs."""
    targets: set[str] = set()
    for command in github_commands(root) + gitlab_commands(root):
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
