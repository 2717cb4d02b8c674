import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runCli, testdir } from "@ds-service/test-utils";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { seededLock } from "../../packages/generator/src/lifecycle/lock-seed.js";
import { sampleValidNames } from "../../packages/generator/src/valid-name.js";
import { expectDrawn, renderHtml } from "./chromium.js";
import { runGitlabPipeline } from "./gitlab-pipeline.js";
import { startService } from "./serve.js";

// Every task of the template, generated outside the workspace and checked with the generated
// project's own tools — never skipped: a missing tool is a failure. The classification project
// runs `make check` as GitHub's workflow does; the regression project is a `--ci gitlab` one
// and runs its own GitLab pipeline's jobs instead (./gitlab-pipeline.ts), so one project per
// CI provider passes what its CI runs.
const tasks = ["classification", "regression"] as const;
const ciOf = { classification: "github", regression: "gitlab" } as const;
// A capture of a blank 1280 × 2400 page is about 14 KB; a report with its text, tables and
// plots drawn is several times that (evaluation ~180 KB, drift ~76 KB).
const DRAWN_PAGE_BYTES = 40_000;
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

// The project names come from the generator's valid-name arbitrary, so these real `make check`
// runs also prove "every valid name gives a project that passes its own checks". The seed is
// printed: E2E_NAME_SEED=<seed> reproduces a failing pair of names.
// biome-ignore lint/suspicious/noUndeclaredEnvVars: the e2e suite runs through vitest, never turbo.
const nameSeed = Number(process.env.E2E_NAME_SEED ?? Date.now() % 2 ** 31);
if (!Number.isSafeInteger(nameSeed)) throw new Error("E2E_NAME_SEED must be an integer");
const names = sampleValidNames(tasks.length, nameSeed);
console.log(`e2e project names ${JSON.stringify(names)} (E2E_NAME_SEED=${nameSeed})`);

const diabetesRow = {
  age: 48.0,
  sex: 2.0,
  bmi: 27.5,
  bp: 94.0,
  s1: 186.0,
  s2: 111.0,
  s3: 46.0,
  s4: 4.0,
  s5: 4.6,
  s6: 92.0,
};

// `make batch-score`'s input: rows drawn (with replacement, seeded) from the training data,
// every 100th corrupted — text in `bmi` or an impossible `age` — as a CSV at argv[1]; argv[2] is
// the project's package.
const batchRows = `
import sys
from importlib import import_module
data = import_module(f"{sys.argv[2]}.io.data")
rows = data.load_dataset().features.sample(20000, replace=True, random_state=0)
rows = rows.reset_index(drop=True).astype({"bmi": "string", "age": "string"})
rows.loc[range(0, 20000, 200), "bmi"] = "oops"
rows.loc[range(100, 20000, 200), "age"] = "999"
rows.to_csv(sys.argv[1], index=False)
`;

// What the batch's Parquet tables hold, read back with pandas (argv[1]: the output directory).
const batchTables = `
import json, sys
import pandas as pd
predictions = pd.read_parquet(f"{sys.argv[1]}/predictions")
rejects = pd.read_parquet(f"{sys.argv[1]}/rejects").sort_values("row")
print(json.dumps({
    "predictions": len(predictions),
    "rejects": len(rejects),
    "rejectRows": rejects["row"].tolist(),
    "rowsCovered": len(set(predictions["row"]) | set(rejects["row"])),
    "reasons": rejects["reason"].str.split(":").str[0].value_counts().sort_index().to_dict(),
    "probabilityColumns": len(predictions.filter(like="probability_").columns),
    "versions": sorted(set(predictions["model_version"])),
}))
`;

// Stock protocol clients run against the served project: script → the PyPI requirement it needs.
const clientsDir = path.join(repoRoot, "scripts/e2e/clients");
/** Each stock client's script, what it is installed from, and which address it is given. */
const stockClients = {
  "tritonclient_http.py": { requirement: "tritonclient[http]", address: "rest" },
  "tritonclient_grpc.py": { requirement: "tritonclient[grpc]", address: "grpc" },
  "kserve_rest.py": { requirement: "kserve", address: "rest" },
  // gRPC, with its predictions compared to the same requests over REST (`--rest URL`).
  "kserve_grpc.py": { requirement: "kserve", address: "grpc+rest" },
} as const;

async function make(
  projectDir: string,
  target: string,
  vars: string[] = [],
  env: Record<string, string> = {},
) {
  const r = await execa("make", [target, ...vars], {
    cwd: projectDir,
    env,
    all: true,
    reject: false,
  });
  expect(r.exitCode, `make ${target} failed:\n${r.all}`).toBe(0);
  return String(r.all);
}

describe.each(tasks)("generated project (--task %s)", (task) => {
  it("installs, passes its own make check, trains, serves, predicts and holds under load", async () => {
    const root = await testdir();
    const name = names[tasks.indexOf(task)] ?? "";
    console.log(`--task ${task} --ci ${ciOf[task]}: project ${name}`);
    const created = await runCli(["new", name, "--yes", "--task", task, "--ci", ciOf[task]], {
      cwd: root,
      env: { CI: "true" },
    });
    expect(created.exitCode, created.stderr).toBe(0);
    const project = path.join(root, name);
    const ns = name.replaceAll("-", "_");

    // The post-steps ran for real: a lockfile, a virtualenv, one clean commit. The lock is the
    // template's seed made this project's, as `uv lock` left it: the seed is current with the
    // template's dependencies (else `pnpm lock:seed`), and the project gets what CI tested.
    const seed = await fs.readFile(path.join(repoRoot, "templates/service/uv.lock.seed"), "utf8");
    const lock = await fs.readFile(path.join(project, "uv.lock"), "utf8");
    expect(lock === seededLock(seed, name), "uv lock changed the seed: run pnpm lock:seed").toBe(
      true,
    );
    await fs.access(path.join(project, ".venv"));
    expect((await execa("git", ["status", "--porcelain"], { cwd: project })).stdout).toBe("");

    if (ciOf[task] === "gitlab") {
      // setup, check, train (which trains the model used below), score and rules jobs.
      await runGitlabPipeline(project);
    } else {
      // As on many CI and container images: the Makefile still has Python cache the bytecode
      // of what its targets import (pytest: only the tests import it), and nothing compiled
      // the libraries' ~9,500 files up front (pandas' own tests: nothing imports them).
      const check = await make(project, "check", [], { PYTHONDONTWRITEBYTECODE: "1" });
      expect(check).toMatch(/\d+ passed/);
      expect(check).not.toMatch(/\d+ (failed|error)/);
      const [python] = await fs.readdir(path.join(project, ".venv/lib"));
      const site = path.join(project, ".venv/lib", python ?? "", "site-packages");
      expect((await fs.readdir(path.join(site, "_pytest/__pycache__"))).length).toBeGreaterThan(0);
      await expect(fs.access(path.join(site, "pandas/tests/__pycache__"))).rejects.toThrow();
      await make(project, "train");
    }
    const metadata = JSON.parse(
      await fs.readFile(path.join(project, "artifacts/metadata.json"), "utf8"),
    );
    expect(metadata.task).toBe(task);

    // Batch scoring: 20,000 rows drawn from the training data, 1% of them made invalid (text
    // in a number, an age out of range), scored in 5,000-row chunks by `make batch-score`.
    const batchDir = path.join(root, "batch");
    await execa("uv", ["run", "python", "-c", batchRows, path.join(root, "batch.csv"), ns], {
      cwd: project,
    });
    const batch = await make(project, "batch-score", [
      `INPUT=${path.join(root, "batch.csv")}`,
      `OUTPUT=${batchDir}`,
      "CHUNK_ROWS=5000",
    ]);
    expect(batch).toContain("scored 19800 of 20000 rows (200 rejected)");
    const summary = JSON.parse(await fs.readFile(path.join(batchDir, "summary.json"), "utf8"));
    expect(summary).toMatchObject({ rows_in: 20000, rows_scored: 19800, rows_rejected: 200 });
    expect(summary.chunks).toBe(4);
    expect(summary.drift.scored).toBe(true);
    const tables = await execa("uv", ["run", "python", "-c", batchTables, batchDir], {
      cwd: project,
    });
    expect(JSON.parse(tables.stdout)).toEqual({
      predictions: 19800,
      rejects: 200,
      rejectRows: Array.from({ length: 200 }, (_, i) => i * 100),
      rowsCovered: 20000,
      reasons: { age: 100, bmi: 100 },
      probabilityColumns: task === "classification" ? 2 : 0,
      versions: [metadata.version],
    });
    console.log(`batch-score (${task}): 20000 rows in ${summary.seconds} s`);

    // The ML Test Score, computed by the project from its own tests and CI wiring.
    await make(project, "score");
    const score = JSON.parse(
      await fs.readFile(path.join(project, "reports/ml_test_score.json"), "utf8"),
    ) as { sections: Record<string, number>; score: number; tests: Record<string, unknown> };
    expect(Object.keys(score.tests)).toHaveLength(28);
    expect(score.sections.data).toBeGreaterThan(5);
    expect(score.sections.model).toBeGreaterThan(5);
    expect(score.sections.infrastructure).toBeGreaterThan(5);
    expect(score.sections.monitoring).toBeGreaterThan(5);
    expect(score.score).toBe(Math.min(...Object.values(score.sections)));

    // The evaluation report renders in a real browser with every plot decoded.
    await make(project, "report");
    const rendered = await renderHtml(path.join(project, "reports/evaluation/index.html"));
    expect(rendered.dom).toContain('id="metrics"');
    expect(rendered.images).toBe(task === "classification" ? 6 : 4);
    expect(rendered.loadedImages).toBe(rendered.images);
    await expectDrawn(
      path.join(project, "reports/evaluation/index.html"),
      `${task}-evaluation-report.png`,
      { minBytes: DRAWN_PAGE_BYTES },
    );
    await fs.access(path.join(project, "artifacts/MODEL_CARD.md"));

    const explained = await execa("make", ["explain", `ROW=${JSON.stringify(diabetesRow)}`], {
      cwd: project,
      all: true,
      reject: false,
    });
    expect(explained.exitCode, String(explained.all)).toBe(0);
    expect(explained.stdout).toContain("contributions (largest first):");

    await make(project, "backtest");
    const backtest = JSON.parse(
      await fs.readFile(path.join(project, "reports/backtest.json"), "utf8"),
    ) as { curve: unknown[]; ordering: string };
    expect(backtest.curve.length).toBeGreaterThan(0);
    expect(backtest.ordering).toContain("no time column");

    // `make tune` finds exactly what the project ships in confs/tuned.yaml: the tree stays clean.
    await make(project, "tune");
    expect((await execa("git", ["status", "--porcelain"], { cwd: project })).stdout).toBe("");

    // Every request is logged with its inputs, so `make drift-report` reads what was served.
    // The demo's features are all health data, redacted by default: this run logs them in clear.
    const requestLog = path.join(project, "reports/requests.jsonl");
    const service = await startService(project, {
      REQUEST_LOG_PATH: requestLog,
      REQUEST_LOG_SAMPLE_RATE: "1",
      REQUEST_LOG_REDACT_PII: "[]",
    });
    try {
      const get = async (route: string) => {
        const res = await fetch(`${service.baseUrl}${route}`);
        return { status: res.status, text: await res.text() };
      };
      expect((await get("/v2/health/live")).status).toBe(200);
      expect((await get("/v2/health/ready")).status).toBe(200);
      const model = await get(`/v2/models/${name}`);
      expect(model.status).toBe(200);
      expect(JSON.parse(model.text).name).toBe(name);

      const inputs = Object.entries(diabetesRow).map(([feature, value]) => ({
        name: feature,
        shape: [1],
        datatype: "FP64",
        data: [value],
      }));
      const infer = await fetch(`${service.baseUrl}/v2/models/${name}/infer`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ id: "e2e-1", inputs }),
      });
      const inferBody = (await infer.json()) as {
        model_name: string;
        id: string;
        outputs: { data: unknown[] }[];
      };
      expect(infer.status, JSON.stringify(inferBody)).toBe(200);
      expect(inferBody.model_name).toBe(name);
      expect(inferBody.id).toBe("e2e-1");
      const outputData = inferBody.outputs[0]?.data ?? [];
      expect(outputData).toHaveLength(1);

      const predict = await fetch(`${service.baseUrl}/predict`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ instances: [diabetesRow, { ...diabetesRow, bmi: 35.1 }] }),
      });
      const predictBody = (await predict.json()) as { predictions: number[] };
      expect(predict.status, JSON.stringify(predictBody)).toBe(200);
      expect(predictBody.predictions).toHaveLength(2);
      for (const p of predictBody.predictions) expect(Number.isFinite(p)).toBe(true);
      if (task === "classification") {
        for (const p of predictBody.predictions) expect([0, 1]).toContain(p);
      }
      // The protocol route and the convenience route answer the same for the same row.
      expect(predictBody.predictions[0]).toBe(outputData[0]);

      const bad = await fetch(`${service.baseUrl}/predict`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ instances: [{ ...diabetesRow, bmi: "fat" }] }),
      });
      expect(bad.status).toBeGreaterThanOrEqual(400);
      expect(bad.status).toBeLessThan(500);
      expect(await bad.json()).toHaveProperty("error");

      const metrics = await get("/metrics");
      expect(metrics.status).toBe(200);
      expect(metrics.text).toContain(`${ns}_`);

      // The stock clients a platform team already has, from PyPI, in throwaway environments
      // (never dependencies of the project), over REST and gRPC: health, metadata, JSON and
      // binary tensors, FP32 and FP64, requested outputs, gzip, and one [N, F] tensor refused
      // with a 400 (INVALID_ARGUMENT over gRPC).
      const clients = await Promise.all(
        Object.entries(stockClients).map(([script, { requirement, address }]) => {
          const target = address === "rest" ? service.baseUrl : service.grpcTarget;
          const rest = address === "grpc+rest" ? ["--rest", service.baseUrl] : [];
          return execa(
            "uv",
            ["run", "--no-project", "--with", requirement, "python", script, target, name, ...rest],
            { cwd: clientsDir, all: true, reject: false },
          );
        }),
      );
      for (const run of clients) {
        console.log(run.all);
        expect(run.exitCode, String(run.all)).toBe(0);
        expect(run.all).toMatch(/: 0 failed$/m);
      }
    } finally {
      await service.stop();
    }

    // The drift report of what the service logged renders, one section per feature, each
    // with the logged values (a redacted or unread feature would show a null rate of 1).
    await make(project, "drift-report", [`INPUT=${requestLog}`]);
    const driftPage = path.join(project, "reports/drift.html");
    const drift = await renderHtml(driftPage);
    expect(Number(/(\d+) production rows/.exec(drift.dom)?.[1])).toBeGreaterThanOrEqual(3);
    for (const feature of Object.keys(diabetesRow)) expect(drift.dom).toContain(`<h2>${feature}`);
    expect(drift.dom).not.toContain("null rate = 1.000");
    await expectDrawn(driftPage, `${task}-drift-report.png`, { minBytes: DRAWN_PAGE_BYTES });

    // Resilience: schemathesis over every route in-process (no 5xx, no NaN, 4xx = {"error"}),
    // and SIGTERM draining in-flight requests on the real server.
    const fuzz = await make(project, "fuzz");
    expect(fuzz).toMatch(/\d+ passed/);
    expect(fuzz).not.toMatch(/\d+ (failed|error)/);
    const fuzzed = [...fuzz.matchAll(/^\s+(\d+)\s+(GET|POST) (\/\S*)$/gm)];
    expect(fuzzed.map(([, , method, route]) => `${method} ${route}`)).toContain(
      "POST /v2/models/{model_name}/infer",
    );
    expect(fuzzed).toHaveLength(11);
    for (const [, count] of fuzzed) expect(Number(count)).toBeGreaterThanOrEqual(10);

    // A real load test: hey against the served model, failing on any error or non-200.
    const hey = (await execa("bash", [path.join(repoRoot, "scripts/install-go-tool.sh"), "hey"]))
      .stdout;
    const load = await make(project, "load-test", [`HEY=${hey.trim()}`, "DURATION=20s"]);
    const figures =
      /(\d+) requests in .* p50 ([\d.]+) ms, p99 ([\d.]+) ms, throughput ([\d.]+)/.exec(load);
    expect(figures, load).not.toBeNull();
    const [, requests, p50, p99, throughput] = (figures ?? []).map(Number);
    console.log(`load test (${task}): p50 ${p50} ms, p99 ${p99} ms, ${throughput} requests/s`);
    expect(requests).toBeGreaterThanOrEqual(100);
    expect(p50).toBeGreaterThan(0);
    expect(p99).toBeGreaterThanOrEqual(p50 ?? 0);
    expect(throughput).toBeGreaterThan(0);
  });
});
