"""The ML Test Score (Breck et al., 2017) of this repository, computed from facts.

`make score` finds the pytest commands CI runs (`make --dry-run` of the targets the
workflows call), collects each one to see which tests marked
`@pytest.mark.ml_test_score("<id>")` it selects, and reads how they ended in CI's own run
(`reports/junit.xml`). A rubric id earns 1 when all its marked tests were selected and
passed; a test left out of CI, skipped or failing costs the point, with the reason.
"""
