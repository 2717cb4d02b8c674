"""Feature preprocessing: the first step of the model Pipeline, kept in one small module.

Everything that turns a validated input row into model inputs lives here, so it is unit
tested transformer by transformer (tests/core/test_features.py) and held to its own 100%
coverage gate by `make test`. The service never computes a feature itself: imputing a
missing value, encoding a category and scoring an unseen one as "other" happen inside the
Pipeline, with what it learned from the training rows.
"""

from typing import Final

from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from .schemas import CATEGORICAL, NUMERIC, UNSEEN_AS_OTHER

RARE_CATEGORY_ROWS: Final = 10
"""Fewer training rows than this and a category of an `UNSEEN_AS_OTHER` feature joins "other":
one weight learnt from a handful of rows is noise, a pooled one is not."""


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


def other_transformer() -> OneHotEncoder:
    """One column per category, and one "other" for categories rare in training or unseen.

    The schema lets any category of an `UNSEEN_AS_OTHER` feature through. Categories with
    fewer than `RARE_CATEGORY_ROWS` training rows share the "infrequent" column, whose weight
    the model learns, and an unseen category lands there too. With no rare category there is
    no such column and an unseen one encodes as all zeros: no evidence either way. Nothing is
    dropped: with `drop="if_binary"`, all zeros would be the dropped category, a real one.
    """
    return OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=RARE_CATEGORY_ROWS)


def build_features() -> ColumnTransformer:
    """Impute and scale numeric features, impute and one-hot encode categorical ones."""
    other = set(UNSEEN_AS_OTHER)
    return ColumnTransformer(
        [
            ("numeric", numeric_transformer(), list(NUMERIC)),
            ("categorical", categorical_transformer(), [f for f in CATEGORICAL if f not in other]),
            ("other", other_transformer(), [f for f in CATEGORICAL if f in other]),
        ],
        remainder="drop",
        verbose_feature_names_out=False,
    )
