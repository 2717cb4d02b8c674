"""Feature preprocessing: the first step of the model Pipeline, kept in one small module.

Everything that turns a validated input row into model inputs lives here, so it is unit
tested transformer by transformer (tests/core/test_features.py) and held to its own 100%
coverage gate by `make test`. The service never computes a feature itself.
"""

from typing import Final

from sklearn.compose import ColumnTransformer
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from .schemas import FEATURES

CATEGORICAL: Final[tuple[str, ...]] = ("sex",)
"""Features encoded as categories rather than scaled as numbers."""

NUMERIC: Final[tuple[str, ...]] = tuple(name for name in FEATURES if name not in CATEGORICAL)
"""Every other schema feature: standardized with the training mean and deviation."""


def numeric_transformer() -> StandardScaler:
    """Standardize numbers so regularization treats every feature alike."""
    return StandardScaler()


def categorical_transformer() -> OneHotEncoder:
    """One column per category (one for a binary feature); an unseen category is an error."""
    return OneHotEncoder(drop="if_binary", handle_unknown="error")


def build_features() -> ColumnTransformer:
    """Scale numeric features and one-hot encode categorical ones, selected by column name."""
    return ColumnTransformer(
        [
            ("numeric", numeric_transformer(), list(NUMERIC)),
            ("categorical", categorical_transformer(), list(CATEGORICAL)),
        ],
        remainder="drop",
        verbose_feature_names_out=False,
    )
