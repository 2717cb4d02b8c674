"""The facts behind the score: each marked test, whether CI's pytest selects it, its outcome.

A marked test is looked for in the repository's files (so hiding it from every run is seen),
in what plain `pytest` selects, and in what each pytest command CI runs selects; its outcome
comes from that command's own report. Alert-rule tests (promtool) tagged with rubric ids
join them from the result `make monitoring-test` leaves (`alert_rules.py`).
"""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .alert_rules import Runner, rule_evidence
from .ci import PytestCommand, ci_pytest_commands, workflow_targets
from .collect import by_ci, by_configuration, in_repository, narrowing_args
from .results import ci_report, junit_key
from .score import PASSED, Evidence

NOT_SELECTED = "not selected by CI"


@dataclass
class Facts:
    """Every marked test's evidence, and what was read to get it (printed with the score)."""

    evidence: list[Evidence] = field(default_factory=list)
    commands: list[PytestCommand] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _hidden_reason(
    nodeid: str, root: Path, commands: list[PytestCommand], seen: dict[str, set[str]]
) -> str:
    """Why CI does not select a test the repository contains (plain pytest collected once)."""
    if not commands:
        return "CI runs no pytest command"
    if "configured" not in seen:
        seen["configured"] = set(by_configuration(root).tests)
    if nodeid not in seen["configured"]:
        return (
            "pytest.ini or a conftest.py hides it from every run (collect_ignore, addopts, a hook)"
        )
    narrowing = [" ".join(narrowing_args(c.args)) or f"`{c.text}`" for c in commands]
    return "CI's pytest arguments leave it out: " + "; ".join(narrowing)


def gather(root: Path, rule_runner: Runner | None = None) -> Facts:
    """Collect the repository, plain pytest and CI's commands; read CI's outcomes.

    `rule_runner` produces a missing alert-rule result (`alert_rules.rule_evidence`).
    """
    facts = Facts(commands=ci_pytest_commands(root))
    # Collections are subprocesses: run the repository's and CI's side by side.
    with ThreadPoolExecutor() as pool:
        inventory = pool.submit(in_repository, root)
        collections = list(pool.map(lambda command: by_ci(root, command), facts.commands))
    repository = inventory.result().tests
    seen: dict[str, set[str]] = {}
    selected: dict[str, tuple[PytestCommand, tuple[str, ...]]] = {}
    for command, collection in zip(facts.commands, collections, strict=True):
        if collection.error:
            facts.notes.append(f"`{command.text}` fails to collect: {collection.error}")
        for nodeid, ids in collection.tests.items():
            if ids:
                selected.setdefault(nodeid, (command, ids))
    reports = {}
    for command in dict.fromkeys(command for command, _ in selected.values()):
        reports[command], origin = ci_report(root, command)
        facts.notes.append(f"outcomes of `{command.text}`: {origin}")
    for nodeid in sorted({*repository, *selected}):
        if nodeid not in selected:
            reason = _hidden_reason(nodeid, root, facts.commands, seen)
            facts.evidence.append(Evidence(nodeid, repository[nodeid], NOT_SELECTED, reason))
            continue
        command, ids = selected[nodeid]
        outcome, message = reports[command].get(junit_key(nodeid), ("not run", ""))
        if outcome == "not run":
            message = f"selected by `{command.source}` but absent from its report"
        facts.evidence.append(Evidence(nodeid, ids, outcome, "" if outcome == PASSED else message))
    rules, origin = rule_evidence(root, workflow_targets(root), rule_runner)
    facts.evidence += rules
    facts.notes.append(origin)
    return facts
