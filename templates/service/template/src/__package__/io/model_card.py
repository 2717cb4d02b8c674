"""A human-readable MODEL_CARD.md written next to every artifact.

Reviewers and on-call engineers read this, not JSON: what the model predicts, from which
features, how well it did against the baseline, and where it came from.
"""

from pathlib import Path

from .artifacts import MODEL_CARD_FILE, ArtifactMetadata


def render_model_card(metadata: ArtifactMetadata) -> str:
    """Render the card as Markdown from the manifest alone, so it can never disagree with it."""
    nan = float("nan")
    rows = "\n".join(
        f"| {name} | {value:.4f} | {metadata.baseline_metrics.get(name, nan):.4f} "
        f"| {metadata.linear_baseline_metrics.get(name, nan):.4f} |"
        for name, value in sorted(metadata.metrics.items())
    )
    metric_names = sorted(metadata.metrics)
    slice_rows = "\n".join(
        f"| {name} | " + " | ".join(f"{values.get(m, nan):.4f}" for m in metric_names) + " |"
        for name, values in metadata.slice_metrics.items()
    )
    gaps = ", ".join(f"`{k}`: {v:.4f}" for k, v in metadata.fairness_gaps.items()) or "none"
    hyperparameters = ", ".join(f"`{k}={v}`" for k, v in metadata.config.get("model", {}).items())
    commit = metadata.git_sha or "unknown (not a git checkout)"
    if metadata.git_dirty:
        commit += " (with uncommitted changes)"
    return f"""# Model card: {metadata.name} {metadata.version}

- **Task**: {metadata.task}, predicting `{metadata.target}`
- **Features**: {", ".join(f"`{name}`" for name in metadata.features)}
- **Trained**: {metadata.created_at.isoformat()} from commit {commit}
- **Package**: {metadata.name} {metadata.package_version}, scikit-learn {metadata.sklearn_version}
- **Training data SHA-256**: `{metadata.data_hash}`
- **uv.lock SHA-256**: `{metadata.lockfile_sha256 or "unknown"}`
- **Hyperparameters**: {hyperparameters or "defaults"} (seed {metadata.config.get("seed")})

## Held-out metrics

| metric | model | dummy baseline | linear baseline |
|---|---|---|---|
{rows}

The dummy baseline is the simplest sensible predictor, the linear baseline an untuned
linear model on the raw features; the gates in `confs/train.yaml` and `confs/quality.yaml`
require the model to beat both and to meet absolute thresholds.

## Metrics by slice

| slice | {" | ".join(metric_names)} |
|---|{"---|" * len(metric_names)}
{slice_rows}

Fairness gaps over the protected attributes in `confs/quality.yaml`: {gaps}.

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
