"""The one feature schema, shared by training, batch scoring and every service request.

Declaring types, plausible ranges and allowed values once means a row the model was never
meant to see is rejected the same way everywhere: in `make train`, in a batch job and in a
live request. `coerce` turns JSON integers into floats; `strict` rejects unknown columns.
The ranges are physiological limits, wider than the training data, so an unusual but real
patient is scored while a unit mistake (height in metres as BMI, say) is refused.
"""

from typing import Final

import pandas as pd
import pandera.pandas as pa
from pandera.typing import DataFrame, Series


class Features(pa.DataFrameModel):
    """The model's inputs: the ten baseline variables of scikit-learn's diabetes dataset."""

    age: Series[float] = pa.Field(ge=0, le=120, description="Age in years.")
    sex: Series[float] = pa.Field(isin=[1.0, 2.0], description="Sex, coded 1 or 2.")
    bmi: Series[float] = pa.Field(ge=10, le=80, description="Body mass index, kg/m².")
    bp: Series[float] = pa.Field(ge=30, le=250, description="Average blood pressure, mm Hg.")
    s1: Series[float] = pa.Field(ge=50, le=500, description="Total serum cholesterol, mg/dL.")
    s2: Series[float] = pa.Field(ge=0, le=400, description="Low-density lipoproteins, mg/dL.")
    s3: Series[float] = pa.Field(ge=5, le=200, description="High-density lipoproteins, mg/dL.")
    s4: Series[float] = pa.Field(ge=0.5, le=30, description="Total cholesterol / HDL ratio.")
    s5: Series[float] = pa.Field(ge=2, le=8, description="Log of serum triglycerides level.")
    s6: Series[float] = pa.Field(ge=20, le=600, description="Blood sugar level, mg/dL.")

    class Config:
        """Coerce JSON numbers to float, refuse columns the schema does not declare."""

        coerce = True
        strict = True


FEATURES: Final[tuple[str, ...]] = tuple(Features.to_schema().columns)
"""Feature names in schema order: the column order the pipeline is fitted and scored with."""


def validate_features(frame: pd.DataFrame) -> DataFrame[Features]:
    """Validate rows against the schema and return them in the canonical column order.

    Raises `pandera.errors.SchemaErrors` listing every failure, not just the first, so a
    caller can report all bad features at once. Reordering matters because scikit-learn
    refuses to score a frame whose columns are ordered differently from the training frame.
    """
    validated = Features.validate(frame, lazy=True)
    return validated[list(FEATURES)]
