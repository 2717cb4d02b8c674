import fs from "node:fs/promises";
import path from "node:path";
import { repoRoot, runCli, testdir } from "@ds-service/test-utils";
import { execa, type ResultPromise } from "execa";
import { describe, expect, it } from "vitest";
import { freePort, type RunningService, startService } from "./serve.js";

// The monitoring pack against the real stack: a generated service scraped by a real Prometheus
// (Debian's package, installed by scripts/install-prometheus.sh) on loopback, with its own config
// and data dir, and a batch run pushed to a real Pushgateway (scripts/install-pushgateway.sh)
// that Prometheus scrapes too. Bounded polling only; everything started here is stopped here.
const name = "e2e-monitoring";
const ns = name.replaceAll("-", "_");
type Row = Record<string, number>;

async function sh(cwd: string, cmd: string, args: string[]) {
  const r = await execa(cmd, args, { cwd, all: true, reject: false });
  expect(r.exitCode, `${cmd} ${args.join(" ")} failed:\n${r.all}`).toBe(0);
  return String(r.stdout);
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const found = await probe();
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function send(service: RunningService, rows: Row[]) {
  for (let i = 0; i < rows.length; i += 100) {
    const res = await fetch(`${service.baseUrl}/predict`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ instances: rows.slice(i, i + 100) }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
  }
}

/** A Pushgateway on a free loopback port, starting empty. */
async function startPushgateway() {
  const install = path.join(repoRoot, "scripts/install-pushgateway.sh");
  const binary = (await sh(repoRoot, "bash", [install])).trim();
  const port = await freePort();
  // A persistence file of this run's own: Debian's build defaults to one under /var/lib, and a
  // previous run's pushes would then come back on start.
  const persistence = path.join(await testdir(), "pushgateway.data");
  const args = [`--web.listen-address=127.0.0.1:${port}`, `--persistence.file=${persistence}`];
  const child: ResultPromise = execa(binary, args, { reject: false, all: true });
  const url = `http://127.0.0.1:${port}`;
  await until("pushgateway ready", async () => {
    if (child.exitCode !== null) throw new Error(`pushgateway exited: ${child.all}`);
    try {
      return (await fetch(`${url}/-/ready`)).ok ? true : undefined;
    } catch {
      return undefined;
    }
  });
  const stop = async () => {
    child.kill("SIGTERM");
    await child;
  };
  return { url, host: `127.0.0.1:${port}`, stop };
}

async function startPrometheus(project: string, target: string, pushgateway: string) {
  const dir = await testdir();
  const port = await freePort();
  const config = [
    "global: { scrape_interval: 1s, evaluation_interval: 1s }",
    `rule_files: [${JSON.stringify(path.join(project, "monitoring/prometheus/rules.yaml"))}]`,
    "scrape_configs:",
    `  - job_name: ${ns}`,
    `    static_configs: [{ targets: [${JSON.stringify(target)}] }]`,
    // honor_labels: a pushed series keeps its own `job` (the batch), as the Pushgateway docs say.
    "  - job_name: pushgateway",
    "    honor_labels: true",
    `    static_configs: [{ targets: [${JSON.stringify(pushgateway)}] }]`,
  ].join("\n");
  await fs.writeFile(path.join(dir, "prometheus.yml"), `${config}\n`);
  const child: ResultPromise = execa(
    "prometheus",
    [
      `--config.file=${path.join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${path.join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { reject: false, all: true },
  );
  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    child.kill("SIGTERM");
    await child;
  };
  const query = async (q: string) => {
    const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(q)}`);
    return (await res.json()) as {
      status: string;
      data: { result: { metric: Record<string, string>; value: [number, string] }[] };
    };
  };
  await until("prometheus ready", async () => {
    if (child.exitCode !== null) throw new Error(`prometheus exited: ${child.all}`);
    try {
      return (await fetch(`${base}/-/ready`)).ok ? true : undefined;
    } catch {
      return undefined;
    }
  });
  return { base, stop, query };
}

async function timePredict(service: RunningService, row: Row) {
  const started = performance.now();
  const res = await fetch(`${service.baseUrl}/predict`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ instances: [row] }),
  });
  await res.arrayBuffer();
  expect(res.status).toBe(200);
  return performance.now() - started;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

type Prometheus = Awaited<ReturnType<typeof startPrometheus>>;
interface Panel {
  title: string;
  targets?: { expr: string }[];
}

/** One row the feature schema refuses (a numeric value far outside its range): a 422. */
async function sendInvalid(service: RunningService, row: Row, feature: string) {
  const res = await fetch(`${service.baseUrl}/predict`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ instances: [{ ...row, [feature]: 1e12 }] }),
  });
  expect(res.status, await res.clone().text()).toBe(422);
}

/**
 * Every dashboard query, run as Grafana would run it, that has returned no series after
 * `ms` of polling. Grafana replaces `$__rate_interval` with max(4 × scrape interval,
 * step + scrape interval): 1m for its default 15 s scrape; Prometheus here scrapes every
 * second and has minutes of samples by now. Every query must also be valid PromQL.
 */
async function panelsWithoutData(project: string, prometheus: Prometheus, ms = 60_000) {
  const file = path.join(project, "monitoring/grafana/dashboard.json");
  const dashboard = JSON.parse(await fs.readFile(file, "utf8")) as { panels: Panel[] };
  const queries = dashboard.panels.flatMap((p) =>
    (p.targets ?? []).map((t) => ({
      panel: p.title,
      expr: t.expr.replaceAll("$__rate_interval", "1m"),
    })),
  );
  expect(queries.length).toBeGreaterThan(25);
  let empty = queries;
  const deadline = Date.now() + ms;
  while (empty.length > 0 && Date.now() < deadline) {
    const still: typeof queries = [];
    for (const q of empty) {
      const r = await prometheus.query(q.expr);
      expect(r.status, `${q.panel}: ${q.expr}`).toBe("success");
      if (r.data.result.length === 0) still.push(q);
    }
    empty = still;
    if (empty.length > 0) await new Promise((r) => setTimeout(r, 2_000));
  }
  return empty.map((q) => `${q.panel}: ${q.expr}`);
}

describe("monitoring pack against a real Prometheus", () => {
  it("scores drift, raises the drift alert, passes promtool, and costs little", async () => {
    const root = await testdir();
    const created = await runCli(["new", name, "--yes"], { cwd: root, env: { CI: "true" } });
    expect(created.exitCode, created.stderr).toBe(0);
    const project = path.join(root, name);
    const promtool = await sh(project, "make", ["monitoring-test"]);
    expect(promtool).toContain("SUCCESS");
    await sh(project, "make", ["train"]);

    // 1000 i.i.d. rows and 1000 rows with bmi + 2 standard deviations, from the training data.
    const data = JSON.parse(
      await sh(project, "uv", [
        "run",
        "python",
        "-c",
        `import json
from ${ns}.io.data import load_dataset
f = load_dataset().features
iid = f.sample(1000, replace=True, random_state=1)
shifted = f.sample(1000, replace=True, random_state=2)
shifted["bmi"] += 2 * f["bmi"].std()
print(json.dumps({"iid": iid.to_dict("records"), "shifted": shifted.to_dict("records")}))`,
      ]),
    ) as { iid: Row[]; shifted: Row[] };

    const service = await startService(project);
    const pushgateway = await startPushgateway();
    const prometheus = await startPrometheus(
      project,
      new URL(service.baseUrl).host,
      pushgateway.host,
    );
    try {
      const drift = async (minRows: number) =>
        until(`drift scores over ${minRows} rows`, async () => {
          const rows = await prometheus.query(`${ns}_drift_window_rows`);
          if (Number(rows.data.result[0]?.value[1] ?? 0) < minRows) return undefined;
          const r = await prometheus.query(
            `${ns}_feature_drift_score{method=~"psi|jensenshannon",batch=""}`,
          );
          return r.data.result.length === 10
            ? Object.fromEntries(r.data.result.map((s) => [s.metric.feature, Number(s.value[1])]))
            : undefined;
        });

      await send(service, data.iid);
      const quiet = await drift(1000);
      console.log("drift after 1000 i.i.d. rows:", quiet);
      for (const [feature, score] of Object.entries(quiet))
        expect(score, feature).toBeLessThan(0.1);

      await send(service, data.shifted);
      const shifted = await until("bmi psi over the threshold in prometheus", async () => {
        const scores = await drift(1000);
        return (scores.bmi ?? 0) >= 0.25 ? scores : undefined;
      });
      console.log("drift after 1000 rows with bmi + 2 sd:", shifted);
      for (const [feature, score] of Object.entries(shifted)) {
        if (feature !== "bmi") expect(score, feature).toBeLessThan(0.1);
      }
      const alert = await until("ModelFeatureDrift pending or firing for bmi", async () => {
        const res = await fetch(`${prometheus.base}/api/v1/alerts`);
        const body = (await res.json()) as {
          data: { alerts: { labels: Record<string, string>; state: string }[] };
        };
        return body.data.alerts.find(
          (a) => a.labels.alertname === "ModelFeatureDrift" && a.labels.feature === "bmi",
        );
      });
      expect(["pending", "firing"]).toContain(alert.state);

      // A batch run with one row in ten refused pushes its summary to the Pushgateway, and its
      // alert fires (no `for`: a finished run is a fact) for that batch, by name.
      const header = Object.keys(data.iid[0] ?? {});
      const csv = data.iid.map((row, i) =>
        header.map((k) => (k === "bmi" && i % 10 === 0 ? "oops" : String(row[k]))).join(","),
      );
      const batchInput = path.join(await testdir(), "batch.csv");
      await fs.writeFile(batchInput, `${[header.join(","), ...csv].join("\n")}\n`);
      const batch = await execa(
        "make",
        ["batch-score", `INPUT=${batchInput}`, `OUTPUT=${path.join(project, "reports/batch")}`],
        {
          cwd: project,
          all: true,
          reject: false,
          env: { PUSHGATEWAY_URL: pushgateway.url, BATCH_JOB: "e2e-nightly" },
        },
      );
      expect(batch.exitCode, batch.all).toBe(0);
      expect(batch.all).toContain(`batch metrics pushed to ${pushgateway.url} as job e2e-nightly`);
      const rejected = await until("the batch's rejected rows in prometheus", async () => {
        const r = await prometheus.query(`${ns}_batch_rows_rejected{batch="e2e-nightly"}`);
        return r.data.result[0];
      });
      expect(rejected.metric.job).toBe("e2e-nightly");
      expect(Number(rejected.value[1])).toBe(100);
      const batchAlert = await until("ModelBatchRejectedRows firing", async () => {
        const res = await fetch(`${prometheus.base}/api/v1/alerts`);
        const body = (await res.json()) as {
          data: { alerts: { labels: Record<string, string>; state: string }[] };
        };
        return body.data.alerts.find(
          (a) => a.labels.alertname === "ModelBatchRejectedRows" && a.state === "firing",
        );
      });
      expect(batchAlert.labels.batch).toBe("e2e-nightly");

      // Every dashboard panel's query is valid PromQL and returns data after this traffic and
      // one refused row: the demo's numeric features (PSI, KS) and its categorical one (sex:
      // Jensen-Shannon, unseen share) give every drift panel a series.
      await sendInvalid(service, data.iid[0] ?? {}, "bmi");
      expect(await panelsWithoutData(project, prometheus)).toEqual([]);
    } finally {
      await prometheus.stop();
      await pushgateway.stop();
      await service.stop();
    }

    // Overhead: monitoring on vs off, both services up at once, requests alternated so load
    // from anything else on the machine hits both alike; the median paired difference is robust.
    const on = await startService(project, { MONITORING_ENABLED: "true" });
    const off = await startService(project, { MONITORING_ENABLED: "false" });
    try {
      const rows = data.iid.slice(0, 400);
      for (const row of rows.slice(0, 50))
        await Promise.all([on, off].map((s) => timePredict(s, row)));
      const onTimes: number[] = [];
      const offTimes: number[] = [];
      for (const [i, row] of rows.entries()) {
        const first = i % 2 === 0 ? on : off; // alternate which goes first
        const a = await timePredict(first, row);
        const b = await timePredict(first === on ? off : on, row);
        onTimes.push(first === on ? a : b);
        offTimes.push(first === on ? b : a);
      }
      const diff = median(onTimes.map((t, i) => t - (offTimes[i] ?? NaN)));
      console.log(
        `monitoring overhead over ${rows.length} single-row /predict calls: median ` +
          `${median(onTimes).toFixed(2)} ms on vs ${median(offTimes).toFixed(2)} ms off, ` +
          `median paired difference ${diff.toFixed(2)} ms`,
      );
      // Measured in-process the cost is ~0.1 ms a request; the bound leaves room for a loaded
      // 2-core CI machine: 5 ms or 10% of the request, whichever is larger.
      expect(diff).toBeLessThan(Math.max(5, 0.1 * median(offTimes)));
    } finally {
      await on.stop();
      await off.stop();
    }
  });
});
