"""Load the quality, registry and policy configs from `confs/`, and the production record.

Side effects live here so `core/quality.py` and `core/registry.py` stay pure.
`confs/production_metrics.json` is what the model in production scored when it was
promoted (`make promote`); the gate compares every new model against it.
"""

import json
from pathlib import Path
from typing import Any, Final, TypeVar

from pydantic import BaseModel

from ..core.behaviour import Behaviour
from ..core.quality import QualityConfig
from ..core.registry import FeatureRegistry, Policy
from ..yaml_parse import parse_yaml

CONFS: Final = Path("confs")
QUALITY_FILE: Final = CONFS / "quality.yaml"
REGISTRY_FILE: Final = CONFS / "features.yaml"
POLICY_FILE: Final = CONFS / "policy.yaml"
PRODUCTION_FILE: Final = CONFS / "production_metrics.json"
BEHAVIOUR_FILE: Final = CONFS / "behaviour.yaml"

Config = TypeVar("Config", bound=BaseModel)


def load_yaml(path: Path, model: type[Config]) -> Config:
    """Parse and validate one YAML config; a missing file is an error, never a default."""
    if not path.is_file():
        raise FileNotFoundError(f"config not found: {path}")
    return model.model_validate(parse_yaml(path.read_text()))


def load_quality(root: Path = Path()) -> QualityConfig:
    """`confs/quality.yaml`: slices, fairness, baselines and non-regression limits."""
    return load_yaml(root / QUALITY_FILE, QualityConfig)


def load_registry(root: Path = Path()) -> FeatureRegistry:
    """`confs/features.yaml`: owner, source, PII kind and cost budget per feature."""
    return load_yaml(root / REGISTRY_FILE, FeatureRegistry)


def load_policy(root: Path = Path()) -> Policy:
    """`confs/policy.yaml`: what must never become a feature."""
    return load_yaml(root / POLICY_FILE, Policy)


def load_production(root: Path = Path()) -> dict[str, Any] | None:
    """The production model's recorded metrics, or None before the first promotion.

    A new project ships the file with `"metrics": null`: there is no production model to
    compare with yet, and inventing a bar would make the non-regression check meaningless.
    """
    path = root / PRODUCTION_FILE
    if not path.is_file():
        return None
    record: dict[str, Any] = json.loads(path.read_text())
    return record if record.get("metrics") is not None else None


def load_behaviour(root: Path = Path()) -> Behaviour:
    """`confs/behaviour.yaml`: typical rows, directional and invariance expectations."""
    return load_yaml(root / BEHAVIOUR_FILE, Behaviour)
