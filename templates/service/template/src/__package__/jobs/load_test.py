"""`make load-test`: serve the trained model on a free loopback port and load it with `hey`.

The server is the real one (`python -m <package>.serve`, uvicorn), started and stopped here
so a run needs nothing but a trained artifact and the `hey` binary. The run fails on any
transport error or non-200 answer and prints p50/p99 latency and throughput.
"""

import argparse
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from ..io.data import load_dataset
from ..meta import MODEL_NAME
from ..serve.protocol import frame_to_inputs
from .process import exit_process

HEY_INSTALL = "go install github.com/rakyll/hey@v0.1.4"
READY_TIMEOUT_SECONDS = 60.0
"""Importing the stack and loading the model; generous for a shared CI machine."""
STOP_TIMEOUT_SECONDS = 30.0
"""Longer than the server's own graceful-shutdown bound, so a clean exit is awaited."""


class LoadTestError(Exception):
    """The load test could not run or its result fails the bar; the message says which."""


@dataclass(frozen=True)
class HeyReport:
    """What a `hey` run measured: latency percentiles (seconds), throughput and outcomes."""

    p50: float
    p99: float
    requests_per_second: float
    status_codes: dict[int, int]
    errors: dict[str, int]

    @property
    def requests(self) -> int:
        """Requests answered with any status code (transport errors excluded)."""
        return sum(self.status_codes.values())

    def failures(self) -> list[str]:
        """Why this run fails the bar: errors, non-200 answers or no answers at all."""
        found = [f"{count} x {message}" for message, count in self.errors.items()]
        found += [f"{n} x HTTP {code}" for code, n in self.status_codes.items() if code != 200]
        if self.requests == 0:
            found.append("no request was answered")
        elif math.isnan(self.p99):
            found.append(f"only {self.requests} requests: too few for a p99 (hey needs 100)")
        return found


def section(text: str, title: str) -> str:
    """The lines of `hey`'s report under `title`, up to the next blank line."""
    _, found, rest = text.partition(f"{title}:\n")
    return rest.split("\n\n", 1)[0] if found else ""


def parse_hey_report(text: str) -> HeyReport:
    """Read `hey`'s summary (its default output format, stable since v0.1.4).

    hey prints a percentile only once enough requests reached it (99% needs 100) and pads
    the rest with `0% in 0.0000 secs`, so a missing p99 means the run was too short.
    """
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if rps is None:
        raise LoadTestError(f"unexpected hey output (no Requests/sec):\n{text}")
    latencies = section(text, "Latency distribution")
    statuses = section(text, "Status code distribution")
    errors = section(text, "Error distribution")
    percentiles = {int(p): float(s) for p, s in re.findall(r"(\d+)% in ([\d.]+) secs", latencies)}
    return HeyReport(
        p50=percentiles.get(50, math.nan),
        p99=percentiles.get(99, math.nan),
        requests_per_second=float(rps.group(1)),
        status_codes={int(c): int(n) for c, n in re.findall(r"\[(\d+)\]\s+(\d+) resp", statuses)},
        errors={m.strip(): int(n) for n, m in re.findall(r"\[(\d+)\]\s+(.+)", errors)},
    )


def find_hey(hey: str) -> str:
    """Resolve the `hey` command, or say how to install it."""
    path = shutil.which(hey)
    if path is None:
        raise LoadTestError(f"hey not found ({hey!r}); install it with `{HEY_INSTALL}` or set HEY=")
    return path


def single_row_body() -> dict[str, Any]:
    """An Open Inference Protocol request for one real training row: one tensor per feature.

    The first complete row: a text category travels as a BYTES tensor, a number as FP64.
    """
    features = load_dataset().features
    complete = features.dropna()
    return {"inputs": frame_to_inputs((complete if len(complete) else features).head(1))}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_ready(process: subprocess.Popen[bytes], url: str, timeout: float) -> None:
    """Poll the readiness route until it answers 200, the server dies or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LoadTestError(f"the server exited with {process.returncode} before it was ready")
        try:
            with urllib.request.urlopen(f"{url}/v2/health/ready", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass  # not listening yet, or not ready (503): poll again
        time.sleep(0.1)
    raise LoadTestError(f"the server was not ready within {timeout:.0f} s")


def stop(process: subprocess.Popen[bytes], timeout: float = STOP_TIMEOUT_SECONDS) -> int:
    """SIGTERM, as Kubernetes sends, then wait; kill only if it overstays `timeout`."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise LoadTestError(
            f"the server ignored SIGTERM for {timeout:.0f} s and was killed"
        ) from None


@contextmanager
def running_server(
    model_dir: Path, log: TextIO, grpc_port: int = 0
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Run the real server on a free loopback port; yield its URL and process; always stop it.

    gRPC listens on `grpc_port`; the default 0 is any free port, for callers that use REST only.
    """
    port = free_port()
    env = os.environ | {"MODEL_DIR": str(model_dir), "HOST": "127.0.0.1", "PORT": str(port)}
    env["GRPC_PORT"] = str(grpc_port)
    package = __package__.rsplit(".", 1)[0]
    process = subprocess.Popen(
        [sys.executable, "-m", f"{package}.serve"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(process, url, READY_TIMEOUT_SECONDS)
        yield url, process
    finally:
        stop(process)


def run_hey(hey: str, url: str, duration: str, rate: float, concurrency: int) -> HeyReport:
    """Send single-row inference requests for `duration` at about `rate` requests per second."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as body:
        json.dump(single_row_body(), body)
    try:
        command = [
            hey, "-z", duration, "-c", str(concurrency), "-q", f"{rate / concurrency:g}",
            "-m", "POST", "-T", "application/json", "-D", body.name,
            f"{url}/v2/models/{MODEL_NAME}/infer",
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    finally:
        Path(body.name).unlink()
    if result.returncode != 0:
        raise LoadTestError(f"hey failed ({result.returncode}): {result.stderr or result.stdout}")
    return parse_hey_report(result.stdout)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options; `make load-test` passes DURATION, RATE and HEY through."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model-dir", type=Path, default=Path("artifacts"))
    parser.add_argument("--hey", default="hey", help="the hey command or path")
    parser.add_argument("--duration", default="30s", help="how long to load, as hey's -z (30s)")
    parser.add_argument("--rate", type=float, default=50.0, help="target requests per second")
    parser.add_argument("--concurrency", type=int, default=4, help="hey workers sharing the rate")
    parser.add_argument("--server-log", type=Path, default=Path("reports/load-test-server.log"))
    args = parser.parse_args(argv)
    if args.rate <= 0 or args.concurrency <= 0:
        parser.error("--rate and --concurrency must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the load test; return 0 when every request got a 200 and the server stopped cleanly."""
    args = parse_args(argv)
    try:
        hey = find_hey(args.hey)
        args.server_log.parent.mkdir(parents=True, exist_ok=True)
        with args.server_log.open("w") as log, running_server(args.model_dir, log) as (url, proc):
            report = run_hey(hey, url, args.duration, args.rate, args.concurrency)
        if proc.returncode != 0:
            raise LoadTestError(f"the server exited with {proc.returncode} after SIGTERM")
    except LoadTestError as error:
        print(f"load test failed: {error} (server log: {args.server_log})", file=sys.stderr)
        return 1
    print(
        f"load test: {report.requests} requests in {args.duration} at {args.rate:g}/s target: "
        f"p50 {report.p50 * 1000:.1f} ms, p99 {report.p99 * 1000:.1f} ms, "
        f"throughput {report.requests_per_second:.1f} requests/s"
    )
    failures = report.failures()
    if failures:
        print("load test failed: " + "; ".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    exit_process(main())
