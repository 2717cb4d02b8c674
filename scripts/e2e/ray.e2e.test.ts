import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Background, freePort, startBackground } from "./serve.js";
import { penguinsSpecies } from "./shared.js";

// Beyond one machine: the penguins project (a real dataset: text categories, nulls, three
// classes) scores 1,000,000 rows on a real Ray cluster on loopback — a head and a worker
// node, one CPU each, joined with a token — and its output must equal the local engine's.
// The local engine scores the same file under a memory limit that scoring the file whole
// cannot live within. `make tune ENGINE=ray` must find the local grid's winner.
const pkg = "penguins_species";
const rows = 1_000_000;
const corrupted = rows / 100;
const token = randomBytes(16).toString("hex");
const rayEnv = {
  RAY_AUTH_MODE: "token",
  RAY_AUTH_TOKEN: token,
  RAY_ENABLE_UV_RUN_RUNTIME_ENV: "0",
  RAY_USAGE_STATS_ENABLED: "0",
  // The shared project is a checkout with local changes once trained: no clean-tree rule.
  CI: "",
};
// RLIMIT_DATA (the process's heap and private writable memory), not RLIMIT_AS: address space
// reserved but never written (thread arenas, pools) made an --as limit pass or fail by luck.
// Measured: chunked scoring of the 1M rows needs under 768 MiB, scoring them whole over 1.5 GiB.
const memoryLimitBytes = 1024 ** 3;

// argv: folder. batch.parquet: rows drawn (seeded, with replacement) from the training
// features, 1% with text in bill_length_mm; shifted.parquet: 20,000 rows with
// bill_length_mm moved by 3 training SDs (the project's own drill code).
const makeInputs = `
import sys
import numpy as np
from ${pkg}.io.data import load_dataset
from ${pkg}.monitoring.drill import drifted
out, n = sys.argv[1], ${rows}
features = load_dataset().features.reset_index(drop=True)
rng = np.random.default_rng(7)
batch = features.iloc[rng.integers(0, len(features), n)].reset_index(drop=True)
batch["bill_length_mm"] = batch["bill_length_mm"].astype("string")
batch.loc[rng.choice(n, n // 100, replace=False), "bill_length_mm"] = "oops"
batch.to_parquet(f"{out}/batch.parquet", index=False, row_group_size=100_000)
sample = features.iloc[rng.integers(0, len(features), 20_000)].reset_index(drop=True)
drifted(sample, features, "bill_length_mm", 3.0, rng).to_parquet(f"{out}/shifted.parquet", index=False)
`;

// argv: two batch outputs. Their tables must be equal row for row; prints their counts.
const compareOutputs = `
import json, sys
import pandas as pd
a, b = sys.argv[1], sys.argv[2]
counts = {}
for table in ("predictions", "rejects"):
    x = pd.read_parquet(f"{a}/{table}").sort_values("row", ignore_index=True)
    y = pd.read_parquet(f"{b}/{table}").sort_values("row", ignore_index=True)
    pd.testing.assert_frame_equal(x, y)
    counts[table] = len(x)
reasons = pd.read_parquet(f"{a}/rejects")["reason"]
counts["reasonsNameTheFeature"] = bool(reasons.str.startswith("bill_length_mm: 'oops'").all())
print(json.dumps(counts))
`;

// argv: input. What loading the whole file and scoring it in one piece takes (the limit
// below must be too little for it, or the memory test proves nothing).
const scoreWhole = `
import sys
from pathlib import Path
import pandas as pd
from ${pkg}.batch.chunk import score_chunk
from ${pkg}.io.artifacts import load_artifact
artifact = load_artifact(Path("artifacts"))
scored = score_chunk(artifact.pipeline, "whole", pd.read_parquet(sys.argv[1]))
print(len(scored.predictions))
`;

let project = "";
let work = "";
let address = "";
const cluster: Background[] = [];

async function make(target: string, vars: string[], env: Record<string, string> = {}) {
  const r = await execa("make", [target, ...vars], {
    cwd: project,
    all: true,
    reject: false,
    env: { ...rayEnv, ...env },
  });
  expect(r.exitCode, `make ${target} ${vars.join(" ")} failed:\n${r.all}`).toBe(0);
  return String(r.all);
}

async function python(script: string, args: string[], extra: { prlimit?: number } = {}) {
  const venvPython = path.join(project, ".venv", "bin", "python");
  const command = extra.prlimit === undefined ? venvPython : "prlimit";
  const prefix = extra.prlimit === undefined ? [] : [`--data=${extra.prlimit}`, venvPython];
  return execa(command, [...prefix, "-c", script, ...args], {
    cwd: project,
    all: true,
    reject: false,
    env: rayEnv,
  });
}

/** `ray status` against the cluster: the number of live nodes, or 0 while it is not up. */
async function liveNodes(): Promise<number> {
  const r = await execa("uv", ["run", "--group", "ray", "ray", "status", `--address=${address}`], {
    cwd: project,
    all: true,
    reject: false,
    env: rayEnv,
    timeout: 60_000,
  });
  const active = String(r.all).split("Pending:")[0]?.split("Active:")[1] ?? "";
  return r.exitCode === 0 ? (active.match(/node_/g) ?? []).length : 0;
}

/**
 * One Ray node (`ray start --block`) in its own process group, up once the cluster has
 * `nodes` live nodes. `ray stop` would end every Ray on the machine, another run's too:
 * this node is stopped by signalling its own process group.
 */
async function startNode(args: string[], nodes: number): Promise<Background> {
  const command = ["run", "--group", "ray", "ray", "start", "--block", ...args];
  const node = startBackground("uv", command, { cwd: project, env: rayEnv });
  cluster.push(node);
  for (let i = 0; i < 60 && !node.exited(); i++) {
    if ((await liveNodes()) >= nodes) return node;
    await new Promise((r) => setTimeout(r, 2000));
  }
  throw new Error(`ray start ${args.join(" ")} did not join:\n${node.log()}`);
}

/**
 * SIGKILL this cluster's processes whose title matches `pattern`: descendants of its nodes
 * (`ray start --block` → raylet → workers), not every Ray on the machine.
 */
async function killOurActors(pattern: string): Promise<number> {
  const table = await execa("ps", ["-eo", "pid=,ppid="]);
  const children = new Map<number, number[]>();
  for (const line of table.stdout.split("\n")) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    if (pid === undefined || ppid === undefined) continue;
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const ours = new Set<number>();
  const queue = cluster.map((node) => node.child.pid).filter((pid) => pid !== undefined);
  while (queue.length > 0) {
    const pid = queue.pop() as number;
    ours.add(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  const found = await execa("pgrep", ["-f", pattern], { reject: false });
  let killed = 0;
  for (const pid of found.stdout.split("\n").filter(Boolean).map(Number)) {
    if (!ours.has(pid)) continue;
    try {
      process.kill(pid, "SIGKILL");
      killed++;
    } catch {
      // gone in the meantime
    }
  }
  return killed;
}

async function summary(output: string) {
  return JSON.parse(await fs.readFile(path.join(output, "summary.json"), "utf8"));
}

beforeAll(async () => {
  project = await penguinsSpecies();
  work = await fs.mkdtemp(path.join(await fs.realpath(os.tmpdir()), "ds-service-ray-"));
  await make("train", []);
  const inputs = await python(makeInputs, [work]);
  expect(inputs.exitCode, inputs.all).toBe(0);
  // Ray's worker processes take ports 10002-19999: the GCS port is chosen above them.
  let port = await freePort();
  while (port >= 10002 && port <= 19999) port = await freePort();
  address = `127.0.0.1:${port}`;
  const common = ["--node-ip-address=127.0.0.1", "--num-cpus=1", "--disable-usage-stats"];
  const temp = `--temp-dir=${path.join(work, "ray")}`;
  await startNode(["--head", `--port=${port}`, "--include-dashboard=false", temp, ...common], 1);
  await startNode([`--address=${address}`, ...common], 2);
}, 600_000);

afterAll(async () => {
  // The worker first: a head stopped first leaves the worker retrying it.
  for (const node of cluster.reverse()) await node.stop();
  if (work) await fs.rm(work, { recursive: true, force: true });
});

describe("batch scoring and tuning on a Ray cluster", () => {
  it("scores 1,000,000 rows on the cluster exactly as the local engine does", async () => {
    const input = `INPUT=${path.join(work, "batch.parquet")}`;
    const local = path.join(work, "local");
    const onRay = path.join(work, "ray-out");
    await make("batch-score", [input, `OUTPUT=${local}`, "CHUNK_ROWS=100000"]);
    const rayVars = [input, `OUTPUT=${onRay}`, "CHUNK_ROWS=100000", "ENGINE=ray"];
    await make("batch-score", [...rayVars, `RAY_ADDRESS=${address}`]);
    const [localSummary, raySummary] = [await summary(local), await summary(onRay)];
    for (const s of [localSummary, raySummary]) {
      expect([s.rows_in, s.rows_scored, s.rows_rejected]).toEqual([
        rows,
        rows - corrupted,
        corrupted,
      ]);
    }
    expect(raySummary.engine).toBe("ray");
    expect(raySummary.drift).toEqual(localSummary.drift);
    expect(localSummary.drift.drifted).toEqual([]); // drawn from the training distribution
    const compared = await python(compareOutputs, [local, onRay]);
    expect(compared.exitCode, compared.all).toBe(0);
    expect(JSON.parse(compared.stdout)).toEqual({
      predictions: rows - corrupted,
      rejects: corrupted,
      reasonsNameTheFeature: true,
    });
    console.log(
      `batch-score 1M rows: local ${localSummary.seconds} s, ray (2 nodes) ${raySummary.seconds} s`,
    );
  });

  it("flags the shifted column in the batch's drift summary", async () => {
    const output = path.join(work, "shifted-out");
    const input = `INPUT=${path.join(work, "shifted.parquet")}`;
    await make("batch-score", [input, `OUTPUT=${output}`, "ENGINE=ray", `RAY_ADDRESS=${address}`]);
    const { drift } = await summary(output);
    expect(drift.scored).toBe(true);
    expect(drift.drifted).toContain("bill_length_mm");
    expect(drift.drifted).not.toContain("island");
  });

  it("a killed scoring actor is retried or fails the run, never leaving a half output", async () => {
    const output = path.join(work, "killed-out");
    const vars = [`INPUT=${path.join(work, "batch.parquet")}`, `OUTPUT=${output}`];
    const run = execa("make", ["batch-score", ...vars, "ENGINE=ray", `RAY_ADDRESS=${address}`], {
      cwd: project,
      all: true,
      reject: false,
      env: rayEnv,
    });
    const actor = "MapWorker\\(MapBatches\\(ScoreBlocks";
    let killed = false;
    let ended = false;
    void run.then(() => {
      ended = true;
    });
    for (let i = 0; i < 240 && !killed && !ended; i++) {
      await new Promise((r) => setTimeout(r, 500));
      killed = (await killOurActors(actor)) > 0;
    }
    const result = await run;
    expect(killed, `no scoring actor to kill:\n${result.all}`).toBe(true);
    if (result.exitCode === 0) {
      const compared = await python(compareOutputs, [path.join(work, "local"), output]);
      expect(compared.exitCode, compared.all).toBe(0);
    } else {
      expect(result.all).toContain("no output written");
      await expect(fs.access(output)).rejects.toThrow();
    }
    const leftovers = (await fs.readdir(work)).filter((name) => name.includes(".partial-"));
    expect(leftovers).toEqual([]);
    console.log(`killed actor: run ${result.exitCode === 0 ? "retried and completed" : "failed"}`);
  });

  it("the local engine scores the file within a memory limit scoring it whole cannot", async () => {
    const input = path.join(work, "batch.parquet");
    const whole = await python(scoreWhole, [input], { prlimit: memoryLimitBytes });
    expect(whole.exitCode, `scoring the file whole fit the limit:\n${whole.all}`).not.toBe(0);
    expect(whole.all).toMatch(/MemoryError|Unable to allocate|std::bad_alloc/);
    const output = path.join(work, "limited-out");
    const job = [`-m`, `${pkg}.jobs.batch_score`, "--input", input, "--output", output];
    const limited = await execa(
      "prlimit",
      [`--data=${memoryLimitBytes}`, path.join(project, ".venv", "bin", "python"), ...job],
      { cwd: project, all: true, reject: false, env: rayEnv },
    );
    expect(limited.exitCode, limited.all).toBe(0);
    expect((await summary(output)).rows_in).toBe(rows);
  });

  it("make tune ENGINE=ray runs trials in parallel and writes the local grid's winner", async () => {
    // `new` ran the local grid and committed its winner: the Ray run must leave it unchanged.
    const tuned = await make("tune", ["ENGINE=ray", `RAY_ADDRESS=${address}`]);
    const trials = tuned.match(/(\d+) trials on Ray Tune, at most (\d+) at once, on (\d+) CPUs/);
    expect(trials, tuned).not.toBeNull();
    expect(Number(trials?.[2])).toBeGreaterThanOrEqual(2);
    expect(Number(trials?.[3])).toBe(2);
    const diff = await execa("git", ["diff", "--stat", "--", "confs/"], { cwd: project });
    expect(diff.stdout, "make tune ENGINE=ray changed the local grid's winner").toBe("");
  });
});
