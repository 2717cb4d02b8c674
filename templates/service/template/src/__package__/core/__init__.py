"""Pure model code: the feature schema, the pipeline and its metrics. No I/O lives here."""
