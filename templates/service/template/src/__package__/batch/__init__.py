"""Batch scoring (`make batch-score`): a file of rows in, predictions, rejects and a summary out.

The parts every engine shares live here: reading the input in bounded chunks (`source`),
validating rows with the one feature schema (`rows`), scoring a chunk with the service's own
`predict` (`chunk`), the batch's drift against the training reference (`drift`), and the
run's report to Prometheus once its output is published (`metrics`). An engine (`local`)
only decides how chunks are scheduled and where their parts are written.
"""
