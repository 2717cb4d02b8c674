"""Side effects at the edges: configuration files, datasets and model artifacts."""
