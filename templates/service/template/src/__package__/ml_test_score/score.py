"""Score the rubric from the recorded test outcomes, the CI wiring and declared manual reviews."""

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .plugin import Outcome
from .rubric import RUBRIC, SECTIONS, section_of


class ScoreConfig(BaseModel):
    """`confs/ml_test_score.yaml`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    floor: float = Field(ge=0, le=7, description="`make score` fails when the score is lower.")
    manual: dict[str, str] = Field(
        default_factory=dict,
        description="Rubric id → path of a document recording a manual review (0.5 points).",
    )


def score_test(
    test_id: str, outcomes: list[tuple[str, Outcome]], in_ci: bool, manual_doc: Path | None
) -> dict[str, Any]:
    """Points and evidence for one rubric id."""
    names = [nodeid for nodeid, _ in outcomes]
    passed = bool(outcomes) and all(o.outcome == "passed" for _, o in outcomes)
    if passed and in_ci:
        status, points = "automated", 1.0
    elif passed:
        status, points = "passes, not run in CI", 0.5
    elif outcomes:
        status, points = "failing", 0.0
    elif manual_doc is not None and manual_doc.is_file():
        status, points = "manual, documented", 0.5
    else:
        status, points = "missing", 0.0
    return {
        "section": section_of(test_id),
        "title": RUBRIC[test_id],
        "points": points,
        "status": status,
        "checks": names,
        "failed": [nodeid for nodeid, o in outcomes if o.outcome != "passed"],
    }


def compute(
    recorded: dict[str, Outcome], in_ci: bool, config: ScoreConfig, root: Path
) -> dict[str, Any]:
    """The report: `{"sections": {...}, "score": min, "tests": {id: {...}}}`."""
    tests = {}
    for test_id in RUBRIC:
        outcomes = [(nodeid, o) for nodeid, o in recorded.items() if test_id in o.ids]
        doc = root / config.manual[test_id] if test_id in config.manual else None
        tests[test_id] = score_test(test_id, outcomes, in_ci, doc)
    sections = {
        name: sum(t["points"] for t in tests.values() if t["section"] == name)
        for name in SECTIONS.values()
    }
    return {"sections": sections, "score": min(sections.values()), "tests": tests}


def table(report: dict[str, Any]) -> str:
    """The 28-row table a person reads, with section totals and the final score."""
    lines = [f"{'id':<4} {'points':>6}  {'status':<22} {'checks':>6}  test", "-" * 96]
    for test_id, test in report["tests"].items():
        lines.append(
            f"{test_id:<4} {test['points']:>6.1f}  {test['status']:<22} "
            f"{len(test['checks']):>6}  {test['title']}"
        )
        lines += [f"{'':<42}failed: {nodeid}" for nodeid in test["failed"]]
    lines.append("-" * 96)
    lines += [f"{name:<16} {value:.1f} / 7" for name, value in report["sections"].items()]
    lines.append(f"{'ML Test Score':<16} {report['score']:.1f}  (the lowest section)")
    return "\n".join(lines)
