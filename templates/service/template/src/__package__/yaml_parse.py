"""YAML parsed at C speed: PyYAML's libyaml binding, which every PyPI wheel of PyYAML has.

The pure-Python `yaml.safe_load` took ~5 ms for one of the project's configs, and the test
suite and `make score` read the same few files hundreds of times. The C loader builds the same
safe types (no Python objects from tags); PyYAML built without libyaml falls back to Python.
"""

from typing import Any, Final

import yaml

SAFE_LOADER: Final[type[yaml.SafeLoader] | type[yaml.CSafeLoader]] = getattr(
    yaml, "CSafeLoader", yaml.SafeLoader
)


def parse_yaml(text: str) -> Any:
    """The document in `text` as plain Python values, like `yaml.safe_load`."""
    return yaml.load(text, Loader=SAFE_LOADER)
