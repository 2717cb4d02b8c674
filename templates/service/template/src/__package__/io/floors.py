"""Thresholds in `confs/` held to the floors the template ships in `confs/floors.yaml`.

A threshold is loosened when a minimum is lowered, a maximum (or budget) is raised, a list
of checks (slices, protected attributes) shrinks, or the key is deleted. Each floor names
the direction, so "past its floor" means the same thing for every kind of threshold.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from ..yaml_parse import parse_yaml

FLOORS_FILE: Final = Path("confs") / "floors.yaml"
DIRECTIONS: Final = {"at_least": "minimum", "at_most": "maximum"}


@dataclass(frozen=True)
class Threshold:
    """One threshold in force: where it is, its value, its floor and what it guards."""

    file: str
    key: str
    value: Any
    direction: str  # "at_least" or "at_most"
    floor: float
    guards: tuple[str, ...]

    @property
    def name(self) -> str:
        """`quality.yaml:slice_bounds.minimums.roc_auc`."""
        return f"{self.file}:{self.key}"

    def problem(self) -> str | None:
        """Why this threshold is past its floor, or None when it is within it."""
        where = f"confs/{self.name}"
        bound = f"{self.direction.replace('_', ' ')} {self.floor:g}"
        if self.value is None:
            return f"{where} is missing (floor: {bound})"
        measured = len(self.value) if isinstance(self.value, list | dict) else self.value
        if isinstance(measured, bool) or not isinstance(measured, int | float):
            return f"{where} = {self.value!r} is not a number (floor: {bound})"
        entries = f" ({measured} entries)" if isinstance(self.value, list | dict) else ""
        what = f"{where} = {self.value!r}{entries}"
        if self.direction == "at_least" and measured < self.floor:
            return f"{what} is below its floor: it must be {bound}"
        if self.direction == "at_most" and measured > self.floor:
            return f"{what} is above its floor: it must be {bound}"
        return None


def _lookup(tree: Any, parts: list[str], prefix: list[str]) -> list[tuple[str, Any]]:
    """(dotted key, value) for a path, `*` matching every key of a map; None when absent."""
    if not parts:
        return [(".".join(prefix), tree)]
    head, rest = parts[0], parts[1:]
    if head == "*":
        if not isinstance(tree, dict):
            return []
        return [hit for key in tree for hit in _lookup(tree[key], rest, [*prefix, str(key)])]
    child = tree.get(head) if isinstance(tree, dict) else None
    if child is None:
        return [(".".join([*prefix, head, *rest]), None)]
    return _lookup(child, rest, [*prefix, head])


def _floor(spec: dict[str, Any], where: str) -> tuple[str, float]:
    """(direction, value) of one floor entry; exactly one direction must be given."""
    given = [d for d in DIRECTIONS if d in spec]
    if len(given) != 1:
        raise ValueError(f"{where}: give exactly one of {sorted(DIRECTIONS)}, got {sorted(spec)}")
    return given[0], float(spec[given[0]])


def thresholds(root: Path = Path()) -> list[Threshold]:
    """Every floored threshold in force, read from `confs/` (a `*` expands per entry).

    An explicit key wins over a `*` pattern for the same threshold; a `*` pattern that
    matches nothing is fine (no feature of that kind), an explicit key must exist.
    """
    floors: dict[str, dict[str, dict[str, Any]]] = parse_yaml((root / FLOORS_FILE).read_text())
    found: dict[str, Threshold] = {}
    for file, keys in floors.items():
        config = parse_yaml((root / "confs" / file).read_text()) or {}
        # Explicit keys first, so a pattern does not replace their (tighter) floor.
        for pattern in sorted(keys, key=lambda k: "*" in k):
            direction, floor = _floor(keys[pattern], f"{FLOORS_FILE}:{file}:{pattern}")
            guards = tuple(keys[pattern].get("guards") or ())
            for key, value in _lookup(config, pattern.split("."), []):
                if "*" in pattern and value is None:
                    continue
                threshold = Threshold(file, key, value, direction, floor, guards)
                found.setdefault(threshold.name, threshold)
    return list(found.values())


def problems(root: Path = Path()) -> list[str]:
    """Every threshold loosened past its floor, as a sentence naming key, value and floor."""
    return [p for t in thresholds(root) if (p := t.problem()) is not None]
