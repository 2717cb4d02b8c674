"""What CI runs: the pipeline's commands, expanded through the Makefile by make itself.

The pipeline is GitHub Actions (`.github/workflows/`) or GitLab CI (`.gitlab-ci.yml`).

A rubric check counts only if the exact pytest invocation CI runs collects it, so the
pytest command lines are read from `make --dry-run <target>` for every target CI calls
(make expands variables, prerequisites and `ifdef CI` branches as it would in CI), plus
any pytest command a workflow runs directly.
"""

import dataclasses
import os
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import yaml

from ..yaml_parse import parse_yaml

MAKE_CALL = re.compile(r"\bmake\s+((?:[\w.-]+\s*)+)")


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
        workflow: dict[str, Any] = parse_yaml(path.read_text()) or {}
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


PYTEST_PROGRAMS = {"pytest", "py.test"}
SHELL_OPERATORS = {"&&", "||", ";", "|", "&", "(", ")"}
ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


@dataclasses.dataclass(frozen=True)
class PytestCommand:
    """One pytest invocation CI runs: where it came from, its arguments and environment."""

    source: str = dataclasses.field(compare=False)
    args: tuple[str, ...]
    env: tuple[tuple[str, str], ...] = ()

    @property
    def text(self) -> str:
        """The command as a person would type it."""
        return " ".join(
            [*(f"{k}={shlex.quote(v)}" for k, v in self.env), shlex.join(["pytest", *self.args])]
        )


def _simple_commands(line: str) -> list[list[str]]:
    """A shell line split into its simple commands (at `&&`, `;`, `|`, ...)."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    commands: list[list[str]] = [[]]
    try:
        for token in lexer:
            if token in SHELL_OPERATORS:
                commands.append([])
            else:
                commands[-1].append(token)
    except ValueError:  # unbalanced quotes: not a command we can read
        return []
    return [c for c in commands if c]


def pytest_commands_in(line: str, source: str) -> list[PytestCommand]:
    """Every pytest invocation in one shell line (`uv run pytest ...`, `python -m pytest`)."""
    found: list[PytestCommand] = []
    for tokens in _simple_commands(line):
        env: list[tuple[str, str]] = []
        while tokens and ASSIGNMENT.match(tokens[0]):
            name, _, value = tokens.pop(0).partition("=")
            env.append((name, value))
        for index, token in enumerate(tokens):
            if Path(token).name in PYTEST_PROGRAMS:
                found.append(PytestCommand(source, tuple(tokens[index + 1 :]), tuple(env)))
                break
            if token == "-m" and tokens[index + 1 : index + 2] == ["pytest"]:
                found.append(PytestCommand(source, tuple(tokens[index + 2 :]), tuple(env)))
                break
    return found


def dry_run(root: Path, target: str) -> list[str]:
    """The shell lines `make <target>` would run in CI (CI=true), expanded by make."""
    result = subprocess.run(
        ["make", "--dry-run", "--no-print-directory", target],
        cwd=root,
        env={**os.environ, "CI": "true"},
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.replace("\\\n", " ").splitlines() if result.returncode == 0 else []


def ci_pytest_commands(root: Path) -> list[PytestCommand]:
    """Every pytest invocation CI runs: through make targets, or directly in a workflow."""
    commands: list[PytestCommand] = []
    for line in github_commands(root) + gitlab_commands(root):
        commands += pytest_commands_in(line, "workflow")
    for target in sorted(workflow_targets(root)):
        for line in dry_run(root, target):
            commands += pytest_commands_in(line, f"make {target}")
    return list(dict.fromkeys(commands))
