"""Training configuration: `confs/train.yaml`, validated, with environment overrides.

One file says how a run is made (seed, split, hyperparameters, quality thresholds), so a
run is reproduced from git alone. Environment variables prefixed `TRAIN_` override the
file for one-off experiments without editing it, e.g. `TRAIN_SEED=7` or
`TRAIN_QUALITY_GATE__BASELINE_MARGIN=0.2` (`__` separates nested keys).
"""

from pathlib import Path
from typing import Final

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

from ..core.metrics import QualityGate
from ..core.model import ModelParams

DEFAULT_CONFIG: Final = Path("confs/train.yaml")


class TrainConfig(BaseSettings):
    """Everything a training run depends on besides the code and the data."""

    model_config = SettingsConfigDict(
        env_prefix="TRAIN_", env_nested_delimiter="__", extra="forbid", frozen=True
    )

    seed: int = Field(ge=0, description="Seeds the split and the estimator: same seed, same model.")
    holdout_fraction: float = Field(gt=0, lt=1, description="Fraction of rows held out for evaluation.")
    model: ModelParams
    quality_gate: QualityGate

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Precedence: explicit arguments, then `TRAIN_*` variables, then the YAML file."""
        return (init_settings, env_settings, YamlConfigSettingsSource(settings_cls))


def load_config(path: Path = DEFAULT_CONFIG) -> TrainConfig:
    """Load and validate a training configuration file.

    A missing file is an error rather than an empty config: pydantic-settings would
    otherwise fall back silently and train with whatever the environment says.
    """
    if not path.is_file():
        raise FileNotFoundError(f"training config not found: {path}")

    class FileConfig(TrainConfig):
        model_config = SettingsConfigDict(yaml_file=path)

    return FileConfig()
