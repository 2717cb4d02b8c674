"""`make contract-release`: record what a release promises and what a rollback would serve.

A release records two things, both committed in `contract/`:
- `released.json`, the contract callers rely on (`serve/contract.py`);
- `model/`, the model this code trains (through the same quality gate as `make train`)
  with `answers.json`: rows built from its training reference and what it answered them.
  The rollback test (I7) serves that model with later code and expects the same answers,
  so a change that would break rolling production back to this release fails `make check`
  while the released model is still the one to roll back to.
Both or neither: a breaking contract without a `MODEL_MAJOR` bump, or a model that fails the
gate, records nothing. A release that raises the major keeps the one it supersedes in
`contract/previous/`, served beside the new major while callers migrate.
"""

import argparse
import json
import logging
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from ..core.schemas import FEATURES
from ..io.artifacts import METADATA_FILE, MODEL_FILE, load_artifact
from ..io.config import DEFAULT_CONFIG, load_config
from ..io.data import load_dataset
from ..monitoring.drift import CategoricalReference
from ..monitoring.reference import REFERENCE_FILE, DriftReference, load_reference
from ..serve import contract
from ..serve.columns import frame_to_records, records_to_frame
from ..serve.contract import ANSWERS_FILE, PREVIOUS, RELEASED_MODEL
from ..serve.predictions import predict, to_records
from ..serve.validation import validate_rows
from .process import exit_process
from .train import QualityGateError, train

logger = logging.getLogger(__name__)

KEPT_FILES: Final = (MODEL_FILE, METADATA_FILE, REFERENCE_FILE)
"""What the service loads from an artifact folder; the model card stays in `artifacts/`."""

ROWS: Final = 20


def answer_rows(reference: DriftReference, rows: int = ROWS) -> pd.DataFrame:
    """Rows of training-time values, drawn per feature from the reference with a fixed seed.

    The reference holds each feature's values seen in training (quantiles, categories), so
    no training row is copied into the repository; a fixed seed makes the draw repeatable.
    """
    generator = np.random.default_rng(0)
    columns: dict[str, list[Any]] = {}
    for feature in FEATURES:
        column = reference.features.get(feature)
        if column is None:
            raise ValueError(f"the training reference has no values of {feature!r}")
        values: list[Any] = (
            list(column.categories)
            if isinstance(column, CategoricalReference)
            else sorted(column.sample)
        )
        if not values:
            raise ValueError(f"the training reference has no values of {feature!r}")
        columns[feature] = [values[int(i)] for i in generator.integers(len(values), size=rows)]
    return pd.DataFrame(columns)


def record_answers(directory: Path) -> dict[str, Any]:
    """Ask the model in `directory` the reference rows through the `/predict` path."""
    reference = load_reference(directory)
    if reference is None:
        raise ValueError(f"no training reference in {directory}/ to build the rows from")
    instances = frame_to_records(answer_rows(reference))
    pipeline = load_artifact(directory).pipeline
    answers = to_records(predict(pipeline, validate_rows(records_to_frame(instances))))
    return {"instances": instances, "answers": answers}


def swap(staged: Path, target: Path, retired: Path) -> None:
    """Put `staged` in `target`'s place: a reader sees the old folder or the new, never half."""
    if target.exists():
        target.rename(retired)
    staged.rename(target)


def release_model(target: Path = RELEASED_MODEL, config_path: Path = DEFAULT_CONFIG) -> str:
    """Train into a scratch folder, then swap it in as `target` whole; the model's version."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".release-") as scratch:
        trained, staged = Path(scratch) / "trained", Path(scratch) / "model"
        metadata = train(load_config(config_path), load_dataset(), trained)
        staged.mkdir()
        for name in KEPT_FILES:
            shutil.copyfile(trained / name, staged / name)
        answers = record_answers(staged)
        (staged / ANSWERS_FILE).write_text(json.dumps(answers, indent=1) + "\n")
        swap(staged, target, Path(scratch) / "retired")
    return metadata.version


def main(argv: Sequence[str] | None = None) -> int:
    """Record the contract and the model together; exit 1, recording neither, on a refusal.

    A release that raises the major keeps the one it supersedes (contract and model) in
    `contract/previous/`, which the service serves beside the new major (`serve/previous.py`).
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--released", type=Path, default=contract.RELEASED, help="contract file")
    parser.add_argument("--model", type=Path, default=RELEASED_MODEL, help="released model dir")
    parser.add_argument("--previous", type=Path, default=PREVIOUS, help="superseded major's dir")
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="training config")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    now = contract.current()
    released = contract.load(args.released) if args.released.exists() else None
    if released is not None:
        allowed, lines = contract.verdict(released, now)
        for line in lines:
            print(line)
        if not allowed:
            return 1
    bumped = (
        released is not None
        and now["major"] > released["major"]
        and (args.model / ANSWERS_FILE).is_file()
    )
    args.model.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.model.parent, prefix=".release-") as scratch:
        superseded = Path(scratch) / "previous"
        if bumped:  # copied before the new model replaces it
            superseded.mkdir()
            shutil.copyfile(args.released, superseded / contract.RELEASED.name)
            shutil.copytree(args.model, superseded / RELEASED_MODEL.name)
        try:
            version = release_model(args.model, args.config)
        except QualityGateError as error:
            logger.error("nothing released: %s", error)
            return 1
        if bumped:
            swap(superseded, args.previous, Path(scratch) / "retired")
    contract.write(args.released, now)
    print(
        f"recorded the contract of major {now['major']} in {args.released} and the model"
        f" (version {version}) in {args.model}/: commit both"
    )
    if bumped and released is not None:
        print(
            f"major {released['major']} stays served beside it, from {args.previous}/,"
            " until you delete that folder"
        )
    return 0


if __name__ == "__main__":
    exit_process(main(sys.argv[1:]))
