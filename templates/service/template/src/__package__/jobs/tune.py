"""Tune the model's hyperparameters: `make tune` (ML Test Score M3).

A cross-validated grid search over `confs/tune.yaml`, on the training split only (the
held-out rows stay unseen; trials run one after the other here or, with `ENGINE=ray`, in
parallel on Ray Tune: `jobs/tune_ray.py`), writes the winner to `confs/tuned.yaml`; with
`--apply` (as `make tune` runs it) it also sets `model:` in `confs/train.yaml`, keeping its
comments. Commit both: a test fails while they disagree, unless `pinned:` in tune.yaml says
why the trained values differ on purpose (then `--apply` leaves train.yaml alone).
"""

import argparse
import logging
from collections.abc import Callable, Sequence
from functools import partial
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field
from ruamel.yaml import YAML
from sklearn.model_selection import KFold, ParameterGrid, StratifiedKFold, cross_val_score

from ..core.model import ModelParams, build_pipeline
from ..io.config import DEFAULT_CONFIG, TrainConfig, load_config
from ..io.data import Dataset, load_dataset
from ..meta import TASK
from ..yaml_parse import parse_yaml
from .process import exit_process
from .tune_ray import run_ray_tune

logger = logging.getLogger(__name__)


class SearchSpace(BaseModel):
    """`confs/tune.yaml`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cv_folds: int = Field(ge=2)
    scoring: str
    grid: dict[str, list[Any]] = Field(min_length=1)
    pinned: str | None = Field(description="Why train.yaml deliberately differs, or null.")
    tolerance: float = Field(
        default=0.01, ge=0, description="Untuned params within this of the best count as tuned."
    )


def cv_score(params: dict[str, Any], data: Dataset, space: SearchSpace, seed: int) -> float:
    """The mean cross-validated score of the model built with `params` (one trial)."""
    splitter_type = StratifiedKFold if TASK == "classification" else KFold
    folds = splitter_type(n_splits=space.cv_folds, shuffle=True, random_state=seed)
    pipeline = build_pipeline(ModelParams.model_validate(params), seed)
    scores = cross_val_score(pipeline, data.features, data.target, scoring=space.scoring, cv=folds)
    return float(np.mean(scores))


Trial = Callable[[dict[str, Any]], float]
"""One candidate's hyperparameters in, its cross-validated score out."""


def run_local(candidates: list[dict[str, Any]], trial: Trial) -> list[float]:
    """Every trial in this process, one after the other."""
    return [trial(candidate) for candidate in candidates]


ENGINES: dict[str, Callable[[list[dict[str, Any]], Trial], list[float]]] = {
    "local": run_local,
    "ray": run_ray_tune,
}
"""Engines by `ENGINE=` name: each scores every candidate with the same trial function."""


def search(config: TrainConfig, space: SearchSpace, engine: str = "local") -> dict[str, Any]:
    """Return `{"model": the winner, "score": its mean CV score, "scoring": ...}`.

    The winner is the grid's best (the first of equals, in grid order, whichever engine ran
    the trials), unless train.yaml's own `model:` scores within `tolerance` of it: a gain
    inside cross-validation's noise is no reason to change a model (and the untuned defaults
    are the linear baseline M5 compares with, which a noise-level "better" value can then
    lose to on the held-out rows). `shipped_score` is train.yaml's score.
    """
    train, _ = load_dataset().split(config.holdout_fraction, config.seed)
    candidates = []
    for point in ParameterGrid(space.grid):
        params = config.model.model_copy(update=point)
        ModelParams.model_validate(params.model_dump())  # refuse an out-of-range grid value
        candidates.append(params.model_dump())
    shipped_params = config.model.model_dump()
    trial = partial(cv_score, data=train, space=space, seed=config.seed)
    *scores, shipped = ENGINES[engine]([*candidates, shipped_params], trial)
    best_score, best = max(zip(scores, candidates, strict=True), key=itemgetter(0))
    if best_score - shipped <= space.tolerance:
        best_score, best = shipped, shipped_params
    return {
        "model": best,
        "score": round(best_score, 6),
        "scoring": space.scoring,
        "shipped_score": round(shipped, 6),
    }


def apply_to_config(path: Path, params: dict[str, Any]) -> None:
    """Set `model:` in the training config to `params`, keeping every comment and key order."""
    document = YAML()  # round-trip mode: comments survive the rewrite
    config = document.load(path)
    for key, value in params.items():
        config["model"][key] = value
    document.dump(config, path)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(description="Grid-search the model's hyperparameters.")
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    parser.add_argument("--search", type=Path, default=Path("confs/tune.yaml"))
    parser.add_argument("--output", type=Path, default=Path("confs/tuned.yaml"))
    parser.add_argument(
        "--apply", action="store_true", help="also set model: in --config (unless pinned)"
    )
    parser.add_argument("--engine", choices=sorted(ENGINES), default="local")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    space = SearchSpace.model_validate(parse_yaml(args.search.read_text()))
    result = search(load_config(args.config), space, args.engine)
    header = "# Written by `make tune`, which also sets `model:` in confs/train.yaml.\n"
    recorded = {key: value for key, value in result.items() if key != "shipped_score"}
    args.output.write_text(header + yaml.safe_dump(recorded, sort_keys=True))
    logger.info("best %s = %s with %s", space.scoring, result["score"], result["model"])
    if args.apply and space.pinned is None:
        apply_to_config(args.config, result["model"])
        logger.info("set model: in %s", args.config)
    return 0


if __name__ == "__main__":
    exit_process(main())
