"""A pytest plugin that records, per rubric id, which marked tests ran and how they ended.

Every test that automates a rubric check carries `@pytest.mark.ml_test_score("D1", ...)`.
An unknown id is a collection error, so a typo never silently scores nothing.
"""

from dataclasses import dataclass, field

import pytest

from .rubric import RUBRIC

MARKER = "ml_test_score"


@dataclass
class Outcome:
    """One marked test: its rubric ids and whether every phase of it passed."""

    ids: tuple[str, ...]
    outcome: str = "not run"


@dataclass
class Recorder:
    """Collects outcomes while pytest runs; `score.py` reads `tests` afterwards."""

    tests: dict[str, Outcome] = field(default_factory=dict)

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """Note the rubric ids of every marked test."""
        for item in items:
            ids = tuple(i for mark in item.iter_markers(MARKER) for i in mark.args)
            unknown = sorted(set(ids) - set(RUBRIC))
            if unknown:
                raise pytest.UsageError(f"{item.nodeid}: unknown ML Test Score id(s) {unknown}")
            if ids:
                self.tests[item.nodeid] = Outcome(ids)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """A test passes only if setup, call and teardown all passed."""
        record = self.tests.get(report.nodeid)
        if record is None:
            return
        if report.failed:
            record.outcome = "failed"
        elif report.skipped:
            record.outcome = "skipped"
        elif report.when == "call" and record.outcome == "not run":
            record.outcome = "passed"
