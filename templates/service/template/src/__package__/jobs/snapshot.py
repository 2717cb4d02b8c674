"""`make data-snapshot`: the bytes `confs/data.yaml`'s source gives, written to a file.

`ds-service data refresh --data <file>` profiles files only. A SQL query or a remote URL
has no local file, so this job writes the very bytes the loader fingerprints (for a query,
its rows' canonical CSV, io/sql.py): profiling that file records the SHA-256 the next load
will check. The fingerprint is not checked here; reading data that changed is the point.
"""

import argparse
import hashlib
from collections.abc import Sequence
from pathlib import Path

from ..io.data import DATA_CONFIG, load_data_config, read_source
from .process import exit_process


def snapshot(output: Path | None, root: Path = Path()) -> tuple[Path, str]:
    """Write the source's bytes to `output` (default data/snapshot.<format>); return its SHA-256."""
    config = load_data_config(root / DATA_CONFIG)
    content = read_source(config, root)
    path = output or root / "data" / f"snapshot.{config.format}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path, hashlib.sha256(content).hexdigest()


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(description="Write the data source's rows to a file.")
    parser.add_argument("--output", type=Path, default=None, help="data/snapshot.<format>")
    args = parser.parse_args(argv)
    path, digest = snapshot(args.output)
    print(
        f"wrote {path}, SHA-256 {digest}: `ds-service data refresh --data {path}` shows "
        "how its schema differs and records that fingerprint in confs/data.yaml"
    )
    return 0


if __name__ == "__main__":
    exit_process(main())
