"""Run a command and report the peak memory of its whole process tree, as JSON on stdout.

`python peak_rss.py [--every SECONDS] -- CMD ARGS...` (the bench runs it with `uv run --with
psutil`). Two figures, because neither alone is the whole truth:
- `treeMiB`: the sum of the resident memory of the command and all its descendants, sampled
  every 50 ms (or --every) with psutil (what the machine had to hold at once; a spike shorter
  than the interval can slip through);
- `processMiB`: the kernel's exact high-water mark of the largest single process in the tree
  (`getrusage(RUSAGE_CHILDREN).ru_maxrss`, what `/usr/bin/time -v` reports), which misses
  nothing but does not add processes up.
`peakMiB` is the larger of the two; `seconds` and `cpuSeconds` say how long it took, by the
clock and in CPU time. The command's own output goes to stderr.
"""

import json
import resource
import subprocess
import sys
import time

import psutil

INTERVAL_S = 0.05
"""Each sample reads /proc for every process; more often would take CPU from the command."""


def _tree_rss(root: psutil.Process) -> int:
    total = 0
    try:
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.Error:
            pass  # ended between listing and reading: its memory is already gone
    return total


def main(argv: list[str]) -> int:
    """Runs argv (after `--`), prints the figures; returns the command's exit code."""
    split = argv.index("--") if "--" in argv else -1
    options, command = argv[: max(split, 0)], argv[split + 1 :]
    every = float(options[options.index("--every") + 1]) if "--every" in options else INTERVAL_S
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=sys.stderr)
    root = psutil.Process(child.pid)
    peak = 0
    while child.poll() is None:
        peak = max(peak, _tree_rss(root))
        time.sleep(every)
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    largest = usage.ru_maxrss * 1024  # Linux reports KiB
    mib = 2**20
    figures = {
        "exitCode": child.returncode,
        "seconds": seconds,
        # CPU time of the tree: on a shared machine, steadier than the wall-clock seconds.
        "cpuSeconds": usage.ru_utime + usage.ru_stime,
        "treeMiB": peak / mib,
        "processMiB": largest / mib,
        "peakMiB": max(peak, largest) / mib,
    }
    print(json.dumps(figures))
    return child.returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
