"""Batch scoring (`make batch-score`): a file of rows in, predictions, rejects and a summary out.

The parts every engine shares live here: reading the input in bounded chunks (`source`),
validating rows with the one feature schema (`rows`), scoring a chunk with the service's own
`predict` (`chunk`), and the batch's drift against the training reference (`drift`). An
engine (`local`) only decides how chunks are scheduled and where their parts are written.
"""
