"""The 28 tests of the ML Test Score rubric (IEEE BigData 2017), in four sections.

This is the rubric, not a result: which of these the repository satisfies is measured
by `ml_test_score.score` from the tests, the Makefile and the CI workflows.
"""

from typing import Final

SECTIONS: Final = {"D": "data", "M": "model", "I": "infrastructure", "N": "monitoring"}

RUBRIC: Final[dict[str, str]] = {
    "D1": "Feature expectations are captured in a schema",
    "D2": "All features are beneficial",
    "D3": "No feature's cost is too much",
    "D4": "Features adhere to meta-level requirements",
    "D5": "The data pipeline has appropriate privacy controls",
    "D6": "New features can be added quickly",
    "D7": "All input feature code is tested",
    "M1": "Model specs are reviewed and submitted",
    "M2": "Offline and online metrics correlate",
    "M3": "All hyperparameters have been tuned",
    "M4": "The impact of model staleness is known",
    "M5": "A simpler model is not better",
    "M6": "Model quality is sufficient on important data slices",
    "M7": "The model is tested for considerations of inclusion",
    "I1": "Training is reproducible",
    "I2": "Model specs are unit tested",
    "I3": "The ML pipeline is integration tested",
    "I4": "Model quality is validated before serving",
    "I5": "The model is debuggable",
    "I6": "Models are canaried before serving",
    "I7": "Serving models can be rolled back",
    "N1": "Dependency changes result in notification",
    "N2": "Data invariants hold for inputs",
    "N3": "Training and serving are not skewed",
    "N4": "Models are not too stale",
    "N5": "Models are numerically stable",
    "N6": "Computing performance has not regressed",
    "N7": "Prediction quality has not regressed",
}


def section_of(test_id: str) -> str:
    """`"M3"` → `"model"`."""
    return SECTIONS[test_id[0]]
