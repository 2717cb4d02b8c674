"""Feature preprocessing: the first step of the model Pipeline, kept in one small module.

Everything that turns a validated input row into model inputs lives here, so it is unit
tested transformer by transformer (tests/core/test_features.py) and held to its own 100%
coverage gate by `make test`. The service never computes a feature itself: imputing a
missing value and encoding a category happen inside the Pipeline, with what it learned
from the training rows.
"""

from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from .schemas import CATEGORICAL, NUMERIC


def numeric_transformer() -> Pipeline:
    """Fill a missing number with the training median, then standardize.

    Standardizing lets regularization treat every feature alike; the imputer is a no-op for
    a column the schema declares non-nullable, so it costs nothing where nulls are refused.
    """
    return Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())])


def categorical_transformer() -> OneHotEncoder:
    """One column per category (one for a binary feature); a missing value is a category.

    The schema refuses a value outside the training categories before the Pipeline sees it;
    `handle_unknown="ignore"` only keeps a batch job that skipped validation from crashing.
    """
    return OneHotEncoder(drop="if_binary", handle_unknown="ignore")


def build_features() -> ColumnTransformer:
    """Impute and scale numeric features, impute and one-hot encode categorical ones."""
    return ColumnTransformer(
        [
            ("numeric", numeric_transformer(), list(NUMERIC)),
            ("categorical", categorical_transformer(), list(CATEGORICAL)),
        ],
        remainder="drop",
        verbose_feature_names_out=False,
    )
