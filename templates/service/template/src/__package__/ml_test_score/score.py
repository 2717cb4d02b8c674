"""Score the rubric from facts: which marked tests CI's pytest selects, and how they ended.

A rubric id earns 1 when it has marked tests and every one of them was selected by a pytest
command CI runs and passed in that run (not skipped). A test the repository contains but CI
does not select, a skipped or failing one, costs its ids the point, and the report says
why. An id with no test at all earns 0.5 for a documented manual review, else 0.
Alert-rule tests (promtool) tagged with an id count the same way (`alert_rules.py`).
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .rubric import RUBRIC, SECTIONS, section_of

PASSED = "passed"
ORDER = {"failed": 0, "skipped": 1, "not selected by CI": 2}


class ScoreConfig(BaseModel):
    """`confs/ml_test_score.yaml`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    floor: float = Field(ge=0, le=7, description="`make score` fails when the score is lower.")
    manual: dict[str, str] = Field(
        default_factory=dict,
        description="Rubric id → path of a document recording a manual review (0.5 points).",
    )


@dataclass(frozen=True)
class Evidence:
    """One marked test: its rubric ids, how it fared in CI (`passed` or not) and why."""

    nodeid: str
    ids: tuple[str, ...]
    outcome: str  # passed, failed, skipped, not selected by CI, not run
    reason: str = ""


def score_test(test_id: str, evidence: list[Evidence], manual_doc: Path | None) -> dict[str, Any]:
    """Points, status and the reasons for one rubric id."""
    # The most telling first: a failure, a skip, a test CI leaves out, then one not run.
    missing = sorted(
        (e for e in evidence if e.outcome != PASSED),
        key=lambda e: (ORDER.get(e.outcome, len(ORDER)), e.nodeid),
    )
    if evidence and not missing:
        status, points = "automated", 1.0
    elif evidence:
        kinds = sorted({e.outcome for e in missing})
        status, points = ", ".join(kinds), 0.0
    elif manual_doc is not None and manual_doc.is_file():
        status, points = "manual, documented", 0.5
    else:
        status, points = "missing", 0.0
    return {
        "section": section_of(test_id),
        "title": RUBRIC[test_id],
        "points": points,
        "status": status,
        "checks": [e.nodeid for e in evidence],
        "why": [
            f"{e.outcome}: {e.nodeid}" + (f" ({e.reason})" if e.reason else "") for e in missing
        ],
    }


def compute(evidence: list[Evidence], config: ScoreConfig, root: Path) -> dict[str, Any]:
    """The report: `{"sections": {...}, "score": min, "tests": {id: {...}}}`."""
    tests = {}
    for test_id in RUBRIC:
        found = [e for e in evidence if test_id in e.ids]
        doc = root / config.manual[test_id] if test_id in config.manual else None
        tests[test_id] = score_test(test_id, found, doc)
    sections = {
        name: sum(t["points"] for t in tests.values() if t["section"] == name)
        for name in SECTIONS.values()
    }
    return {"sections": sections, "score": min(sections.values()), "tests": tests}


def table(report: dict[str, Any], shown: int = 5) -> str:
    """The 28-row table a person reads, each lost point with its reasons, and the totals."""
    lines = [f"{'id':<4} {'points':>6}  {'status':<26} {'checks':>6}  test", "-" * 100]
    for test_id, test in report["tests"].items():
        lines.append(
            f"{test_id:<4} {test['points']:>6.1f}  {test['status']:<26} "
            f"{len(test['checks']):>6}  {test['title']}"
        )
        lines += [f"{'':<6}why: {reason}" for reason in test["why"][:shown]]
        if len(test["why"]) > shown:
            lines.append(f"{'':<6}why: ... and {len(test['why']) - shown} more")
    lines.append("-" * 100)
    lines += [f"{name:<16} {value:.1f} / 7" for name, value in report["sections"].items()]
    lines.append(f"{'ML Test Score':<16} {report['score']:.1f}  (the lowest section)")
    return "\n".join(lines)
