"""A human-readable MODEL_CARD.md written next to every artifact.

Reviewers and on-call engineers read this, not JSON: what the model predicts, from which
features, how well it did against the baseline, and where it came from.
"""

from pathlib import Path

from .artifacts import MODEL_CARD_FILE, ArtifactMetadata


def render_model_card(metadata: ArtifactMetadata) -> str:
    """Render the card as Markdown from the manifest alone, so it can never disagree with it."""
    rows = "\n".join(
        f"| {name} | {value:.4f} | {metadata.baseline_metrics.get(name, float('nan')):.4f} |"
        for name, value in sorted(metadata.metrics.items())
    )
    commit = metadata.git_sha or "unknown (not a git checkout)"
    if metadata.git_dirty:
        commit += " (with uncommitted changes)"
    return f"""# Model card: {metadata.name} {metadata.version}

- **Task**: {metadata.task}, predicting `{metadata.target}`
- **Features**: {", ".join(f"`{name}`" for name in metadata.features)}
- **Trained**: {metadata.created_at.isoformat()} from commit {commit}
- **Package**: {metadata.name} {metadata.package_version}, scikit-learn {metadata.sklearn_version}
- **Training data SHA-256**: `{metadata.data_hash}`

## Held-out metrics

| metric | model | baseline |
|---|---|---|
{rows}

The baseline is the simplest sensible predictor; the quality gate in `confs/train.yaml`
requires the model to beat it by a margin and to meet absolute thresholds.

## Intended use and limits

Trained on scikit-learn's diabetes dataset (442 patients), a demonstration dataset.
Replace this section when you replace the data: who should use the model, for what
decisions, on which population, and where it is known to perform poorly.
"""


def write_model_card(metadata: ArtifactMetadata, directory: Path) -> Path:
    """Write MODEL_CARD.md into the artifact directory and return its path."""
    path = directory / MODEL_CARD_FILE
    path.write_text(render_model_card(metadata))
    return path
