"""A pytest plugin that writes which tests a pytest invocation selects, with their rubric ids.

Every test that automates a rubric check carries `@pytest.mark.ml_test_score("D1", ...)`.
`make score` loads this module (`-p`) into `pytest --collect-only` runs and reads the file
named by `ML_TEST_SCORE_COLLECTED`: the selected test ids after every filter (paths,
`--ignore`, `-k`, `-m`, `--deselect`, a conftest's `collect_ignore`) has run. An unknown
id is a collection error, so a typo never silently scores nothing.
"""

import json
import os
from pathlib import Path
from typing import Final

import pytest

from .rubric import RUBRIC

MARKER: Final = "ml_test_score"
OUTPUT_ENV: Final = "ML_TEST_SCORE_COLLECTED"


def rubric_ids(item: pytest.Item) -> tuple[str, ...]:
    """The rubric ids a test is marked with; an unknown id is a usage error."""
    ids = tuple(dict.fromkeys(i for mark in item.iter_markers(MARKER) for i in mark.args))
    unknown = sorted(set(ids) - set(RUBRIC))
    if unknown:
        raise pytest.UsageError(f"{item.nodeid}: unknown ML Test Score id(s) {unknown}")
    return ids


def pytest_collection_finish(session: pytest.Session) -> None:
    """Write `{test id: [rubric ids]}` for every selected test (after deselection)."""
    output = os.environ.get(OUTPUT_ENV)
    if output:
        selected = {item.nodeid: list(rubric_ids(item)) for item in session.items}
        Path(output).write_text(json.dumps(selected))
