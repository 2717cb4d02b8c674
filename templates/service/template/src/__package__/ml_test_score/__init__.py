"""The ML Test Score (Breck et al., 2017) of this repository, computed from the repository.

`make score` runs every test marked `@pytest.mark.ml_test_score("<id>")`, checks which
make targets the CI workflows call, and scores each of the 28 rubric tests: 1 when its
checks exist, pass and run in CI; 0.5 when they pass but only run by hand (or when a
documented manual review is declared in `confs/ml_test_score.yaml`); 0 otherwise.
"""
