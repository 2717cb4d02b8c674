"""The previous major, served beside this one while its callers migrate.

A release that raises `MODEL_MAJOR` keeps the release it supersedes in `contract/previous/`:
its contract (`released.json`) and its model (`model/`), as `make contract-release` recorded
them. While that folder ships with the service, callers written against the previous major
keep working unchanged: they ask for version `v<N-1>` (REST
`/v2/models/<name>/versions/v1/infer`, gRPC `model_version`), their inputs are checked against
the contract they were written against, and the previous model answers them. Every response
names the version that answered. Callers of this major ask for `v<N>`, or for no version.
Deleting the folder (and releasing) ends the window.

Only the protocol's routes are versioned: `/predict` answers with this major.
"""

import json
import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..io.artifacts import Artifact, ArtifactError, load_artifact
from ..meta import MODEL_MAJOR, MODEL_NAME, TASK
from .contract import ANSWERS_FILE, PREVIOUS, RELEASED, RELEASED_MODEL, Contract, load
from .errors import InputError
from .predictions import predict
from .protocol import (
    NUMERIC_DATATYPES,
    PLATFORM,
    MetadataTensor,
    ModelMetadata,
    RequestInput,
    check_batch,
    tensor_values,
)

logger = logging.getLogger(__name__)


def major_name(major: int) -> str:
    """What callers ask for a major by: `v1`, `v2` and so on."""
    return f"v{major}"


CURRENT_MAJOR = major_name(MODEL_MAJOR)
"""The name of this code's major: the version callers of the current contract may pin."""


@dataclass(frozen=True)
class PreviousMajor:
    """The superseded release: its contract and its model."""

    contract: Contract
    artifact: Artifact

    @property
    def name(self) -> str:
        """Its major, as callers ask for it."""
        return major_name(int(self.contract["major"]))

    @property
    def versions(self) -> list[str]:
        """Every name it answers to: its major, then its model's own versions."""
        return [self.name, *self.artifact.versions]

    def metadata(self, versions: list[str]) -> ModelMetadata:
        """The inputs and outputs its callers were written against."""
        return ModelMetadata(
            name=MODEL_NAME,
            versions=versions,
            platform=PLATFORM,
            inputs=[  # in its model's column order, as this major lists its own
                MetadataTensor(
                    name=name, datatype=self.contract["inputs"][name]["datatype"], shape=[-1]
                )
                for name in self.artifact.metadata.features
            ],
            outputs=[
                MetadataTensor(name=name, datatype=spec["datatype"], shape=spec["shape"])
                for name, spec in self.contract["outputs"].items()
            ],
        )

    def frame(self, inputs: list[RequestInput]) -> pd.DataFrame:
        """Request tensors → the previous model's rows, checked against its own contract."""
        specs: dict[str, dict[str, Any]] = self.contract["inputs"]
        columns: dict[str, Any] = {}
        for tensor in inputs:
            spec = specs.get(tensor.name)
            if spec is None:
                raise InputError(
                    f"version {self.name} has no input {tensor.name!r}; it takes {sorted(specs)}"
                )
            if tensor.name in columns:
                raise InputError(f"input {tensor.name!r} is given more than once")
            columns[tensor.name] = _column(tensor, spec)
        check_batch(columns)
        rows = len(next(iter(columns.values())))
        for name, spec in specs.items():
            if name in columns:
                continue
            if not spec.get("optional"):
                raise InputError(f"missing input {name!r}: version {self.name} requires it")
            columns[name] = [None] * rows if spec["datatype"] == "BYTES" else np.full(rows, np.nan)
        return pd.DataFrame(columns)[self.artifact.metadata.features]


def _column(tensor: RequestInput, spec: dict[str, Any]) -> Any:
    """One input's values, each checked for its type, nulls, range and categories."""
    name, text = tensor.name, spec["datatype"] == "BYTES"
    accepted = tensor.datatype == "BYTES" if text else tensor.datatype in NUMERIC_DATATYPES
    if not accepted:
        raise InputError(
            f"input {name!r}: datatype {tensor.datatype}; the contract says {spec['datatype']}"
        )
    values = tensor_values(tensor)
    low, high = spec.get("range") or [None, None]
    categories = spec.get("categories")
    allowed = None if categories is None else {json_key(value) for value in categories}
    for row, value in enumerate(values):
        where = f"input {name!r}: {value!r} in row {row}"
        if value is None:
            if not spec.get("nullable"):
                raise InputError(f"input {name!r}: null in row {row} is not allowed")
            continue
        if text and not isinstance(value, str):
            raise InputError(f"{where} is not a string (a text category)")
        if not text and (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise InputError(f"{where} is not a finite number")
        if (low is not None and value < low) or (high is not None and value > high):
            raise InputError(f"{where} is outside [{low}, {high}]")
        if allowed is not None and json_key(value) not in allowed:
            raise InputError(f"{where} is not one of its {len(allowed)} categories")
    if text:
        return list(values)
    return np.array([math.nan if value is None else float(value) for value in values])


def json_key(value: Any) -> Any:
    """A category as the contract's JSON has it: numbers compare as floats, text as is."""
    return value if isinstance(value, str) else float(value)


def load_previous(directory: Path = PREVIOUS) -> PreviousMajor | None:
    """The previous major in `directory`, or None: absent, or not servable (logged, never fatal).

    A previous major must be an earlier major of the same model and task; its model must load
    and take the inputs its contract lists.
    """
    contract_file, model_dir = directory / RELEASED.name, directory / RELEASED_MODEL.name
    if not contract_file.is_file():
        return None
    try:
        previous = PreviousMajor(contract=load(contract_file), artifact=load_artifact(model_dir))
        problem = _mismatch(previous.contract, previous.artifact) or _smoke(previous, model_dir)
    except (ArtifactError, OSError, ValueError, KeyError) as error:
        problem = str(error)
    if problem:
        logger.error("not serving the previous major in %s/: %s", directory, problem)
        return None
    logger.info("serving %s beside %s, from %s/", previous.name, CURRENT_MAJOR, directory)
    return previous


def _smoke(previous: PreviousMajor, model_dir: Path) -> str:
    """Why the previous model cannot answer the rows it answered at release, or ''."""
    answers = model_dir / ANSWERS_FILE
    if not answers.is_file():
        return f"no {ANSWERS_FILE} to check it still answers"
    instances: list[dict[str, Any]] = json.loads(answers.read_text())["instances"]
    inputs = [
        RequestInput(
            name=name,
            shape=[len(instances)],
            datatype=spec["datatype"],
            data=[instance.get(name) for instance in instances],
        )
        for name, spec in previous.contract["inputs"].items()
    ]
    try:
        prediction = predict(previous.artifact.pipeline, previous.frame(inputs))
    except Exception as error:  # anything the model raises means it cannot serve
        return f"it failed on the rows it answered at release: {type(error).__name__}: {error}"
    if len(prediction) != len(instances):
        return f"it answered {len(prediction)} predictions for {len(instances)} rows"
    return ""


def _mismatch(contract: Contract, artifact: Artifact) -> str:
    """Why the contract and model in the folder cannot serve as the previous major, or ''."""
    if contract["model"] != MODEL_NAME or contract["task"] != TASK:
        return f"it is {contract['model']!r} ({contract['task']}), not {MODEL_NAME!r} ({TASK})"
    if int(contract["major"]) >= MODEL_MAJOR:
        return f"its major {contract['major']} is not below this code's {MODEL_MAJOR}"
    if sorted(artifact.metadata.features) != sorted(contract["inputs"]):
        return f"its model takes {artifact.metadata.features}, its contract lists others"
    return ""
