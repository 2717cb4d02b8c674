"""The feature registry and the feature policy: what may be a feature, and who answers for it.

`confs/features.yaml` records, for every schema feature, an owner, a source, a PII kind and
a cost budget; `confs/policy.yaml` lists what must never become a feature (identifiers,
contact details, ...). Tests hold the schema, the registry, the policy and the trained
model to each other, so a feature cannot slip in unreviewed.
"""

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

PiiKind = Literal["none", "quasi_identifier", "sensitive", "direct_identifier", "contact"]


class FeatureSpec(BaseModel):
    """One registered feature."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    owner: str = Field(min_length=1, description="Team or person answering for the feature.")
    source: str = Field(min_length=1, description="Where the value comes from at serving time.")
    description: str = Field(min_length=1)
    pii: PiiKind = Field(description="What kind of personal data the raw value is.")
    max_transform_us_per_row: float = Field(gt=0, description="Cost budget: CPU per row.")
    max_bytes_per_row: int = Field(gt=0, description="Cost budget: model-input memory per row.")


class FeatureRegistry(BaseModel):
    """`confs/features.yaml`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    features: dict[str, FeatureSpec] = Field(min_length=1)
    low_value_allowed: dict[str, str] = Field(
        default_factory=dict,
        description="Feature → reviewed reason it may stay without measurable held-out value.",
    )
    min_importance: float = Field(
        ge=0, description="Mean permutation importance a feature needs to count as useful."
    )
    value_check: Literal["enforce", "report"] = Field(
        default="enforce",
        description="`enforce`: a useless feature fails D2; `report`: listed, not yet reviewed.",
    )


class Policy(BaseModel):
    """`confs/policy.yaml`: names, patterns and PII kinds that must never be model inputs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    denied_names: list[str]
    denied_patterns: list[str]
    denied_pii: list[PiiKind]


def policy_violations(
    names: list[str], registry: FeatureRegistry, policy: Policy
) -> dict[str, str]:
    """Feature → why the policy forbids it; an empty dict means every feature is allowed.

    An unregistered feature is a violation too: the policy can only be checked for
    features whose PII kind someone has declared.
    """
    denied = {name.lower() for name in policy.denied_names}
    patterns = [re.compile(pattern, re.IGNORECASE) for pattern in policy.denied_patterns]
    found: dict[str, str] = {}
    for name in names:
        spec = registry.features.get(name)
        if name.lower() in denied:
            found[name] = "its name is on the deny-list"
        elif match := next((p for p in patterns if p.search(name)), None):
            found[name] = f"its name matches the denied pattern {match.pattern!r}"
        elif spec is None:
            found[name] = "it is not in the feature registry (confs/features.yaml)"
        elif spec.pii in policy.denied_pii:
            found[name] = f"its PII kind {spec.pii!r} is denied"
    return found
