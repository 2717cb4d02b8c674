"""A batch output at a URL (`OUTPUT=s3://bucket/scores/2026-12-01`), uploaded whole.

A RayJob's pods are gone after the run, so its output must land in object storage.

Object stores have no atomic rename, so `summary.json` is the completion marker: the tables
are uploaded first and `summary.json` last, and a previous output loses its `summary.json`
before anything of it is replaced. Whatever a failed upload leaves behind has no
`summary.json`, so it never looks like a finished batch (and the next run replaces it).
"""

import importlib
from pathlib import Path
from typing import Any

from .source import BatchInputError


class RemoteOutputError(Exception):
    """The URL holds something that is not a batch output (no `summary.json`)."""


def is_url(location: str) -> bool:
    """An fsspec URL (`s3://...`, `gs://...`, `memory://...`) rather than a local path."""
    return "://" in location


def _filesystem(url: str) -> tuple[Any, str]:
    try:
        fsspec: Any = importlib.import_module("fsspec")
    except ModuleNotFoundError:
        raise BatchInputError(
            f"{url} is a URL: add fsspec and its protocol's package (e.g. s3fs) to pyproject.toml"
        ) from None
    filesystem, path = fsspec.core.url_to_fs(url)
    return filesystem, str(path).rstrip("/")


def check_remote(url: str, summary: str) -> None:
    """Refuse a URL that holds anything but a previous batch output."""
    filesystem, path = _filesystem(url)
    taken = filesystem.exists(path) and filesystem.ls(path)
    if taken and not filesystem.exists(f"{path}/{summary}"):
        raise RemoteOutputError(f"{url} holds files, not a batch output: choose another OUTPUT")


def publish_remote(staging: Path, url: str, summary: str) -> None:
    """Upload a complete local output to `url`, `summary` last (see the module docstring)."""
    check_remote(url, summary)
    filesystem, path = _filesystem(url)
    if filesystem.exists(f"{path}/{summary}"):
        filesystem.rm(f"{path}/{summary}")  # from here on the previous output is unfinished
    if filesystem.exists(path):
        filesystem.rm(path, recursive=True)
    for item in sorted(staging.iterdir()):
        if item.name != summary:
            filesystem.put(str(item), f"{path}/{item.name}", recursive=item.is_dir())
    filesystem.put(str(staging / summary), f"{path}/{summary}")
