"""Training configuration: the shipped file is valid, and mistakes in it are caught early."""

from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from churn_model.io.config import load_config


def write_variant(source: Path, target: Path, **changes: Any) -> Path:
    """Copy the shipped config to `target` with some top-level keys changed or added."""
    settings = yaml.safe_load(source.read_text()) | changes
    target.write_text(yaml.safe_dump(settings))
    return target


def test_the_shipped_config_is_valid(config_path: Path) -> None:
    """`make train` reads this file; it must load and hold sensible values."""
    config = load_config(config_path)
    assert 0 < config.test_size < 0.5
    assert config.quality_gate.minimums


def test_environment_variables_override_the_file(
    config_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """TRAIN_* variables change one run without editing the reviewed file."""
    monkeypatch.setenv("TRAIN_SEED", "7")
    monkeypatch.setenv("TRAIN_QUALITY_GATE__BASELINE_MARGIN", "0.01")
    config = load_config(config_path)
    assert config.seed == 7
    assert config.quality_gate.baseline_margin == 0.01


def test_an_unknown_key_is_rejected(config_path: Path, tmp_path: Path) -> None:
    """A misspelt key must fail loudly rather than be ignored while its default applies."""
    variant = write_variant(config_path, tmp_path / "train.yaml", test_szie=0.5)
    with pytest.raises(ValidationError, match="test_szie"):
        load_config(variant)


def test_an_out_of_range_value_is_rejected(config_path: Path, tmp_path: Path) -> None:
    """Holding out every row (or none) cannot train and evaluate a model."""
    variant = write_variant(config_path, tmp_path / "train.yaml", test_size=1.0)
    with pytest.raises(ValidationError, match="test_size"):
        load_config(variant)


def test_a_missing_file_is_an_error(tmp_path: Path) -> None:
    """Without this check pydantic-settings would train on defaults and the environment."""
    with pytest.raises(FileNotFoundError, match=r"nope\.yaml"):
        load_config(tmp_path / "nope.yaml")
