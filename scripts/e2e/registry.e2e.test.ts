import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa, type ResultPromise } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, type RunningService, startBackground, startService } from "./serve.js";
import { penguinInputs, penguinsSpecies } from "./shared.js";

// The model registry against a real MLflow server (the project's own `ui` group, run as `make ui`
// runs it: beside the project's .venv, never in it) on loopback, with its own SQLite store and
// artifact folder: `make train` registers versions there, `make promote` and `make
// rollback-model` move `production`, and `make serve MODEL_URI=models:/<slug>@production` serves
// what the alias names, with artifacts/ deleted so nothing local can stand in. Bounded waits
// only; everything started here is stopped here.
const slug = "penguins-species";
const production = `models:/${slug}@production`;
// The shared project is a git checkout with uncommitted changes once promote writes the bar:
// CI="" keeps `make train` from requiring a clean tree, as the datasets suite does.
const notCi = { CI: "" };

interface Tracking {
  readonly url: string;
  readonly child: ResultPromise;
  log(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * `mlflow server` from the project's `ui` group on a free loopback port, once `/health` answers:
 * in a throwaway environment uv makes from uv.lock, as `make ui` runs the UI, since the full
 * mlflow in .venv would share its files with the dev group's mlflow-skinny.
 */
async function startMlflow(project: string, store: string): Promise<Tracking> {
  const port = await freePort();
  const args = ["run", "--isolated", "--only-group", "ui", "mlflow", "server"];
  args.push("--backend-store-uri", `sqlite:///${path.join(store, "mlflow.db")}`);
  args.push("--default-artifact-root", path.join(store, "artifacts"));
  args.push("--host", "127.0.0.1", "--port", String(port), "--workers", "1");
  const env = { ...notCi, MLFLOW_DISABLE_TELEMETRY: "true" };
  const { child, log, exited, stop } = startBackground("uv", args, { cwd: project, env });
  const url = `http://127.0.0.1:${port}`;
  // The first start creates the store's schema (about half a minute on CI's 2 cores).
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline && !exited()) {
    try {
      if ((await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) })).ok)
        return { url, child, log, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  await stop();
  throw new Error(`mlflow server did not answer /health:\n${log()}`);
}

/** The registered model's versions, as the server lists them. */
async function versions(tracking: Tracking): Promise<string[]> {
  const filter = encodeURIComponent(`name='${slug}'`);
  const res = await fetch(`${tracking.url}/api/2.0/mlflow/model-versions/search?filter=${filter}`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { model_versions?: { version: string }[] };
  return (body.model_versions ?? []).map((v) => v.version).sort((a, b) => Number(a) - Number(b));
}

/** The distributions installed in the project's .venv whose names start with mlflow. */
async function mlflowDists(project: string): Promise<string[]> {
  const lib = path.join(project, ".venv/lib");
  const python = (await fs.readdir(lib)).find((d) => d.startsWith("python"));
  const site = path.join(lib, String(python), "site-packages");
  return (await fs.readdir(site)).filter((n) => /^mlflow[-_].*\.dist-info$/.test(n)).sort();
}

async function make(project: string, target: string, env: Record<string, string>) {
  const r = await execa("make", [target], { cwd: project, all: true, reject: false, env });
  return { code: r.exitCode, out: String(r.all) };
}

interface TrackedRun {
  run_id: string;
  registered_version: string;
}

/** The served model's metadata and one protocol inference: the versions both report. */
async function served(service: RunningService) {
  const metadata = await fetch(`${service.baseUrl}/v2/models/${slug}`);
  expect(metadata.status).toBe(200);
  const { versions: listed } = (await metadata.json()) as { versions: string[] };
  const inputs = penguinInputs;
  const infer = await fetch(`${service.baseUrl}/v2/models/${slug}/infer`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ id: "registry-e2e", inputs }),
  });
  const answer = (await infer.json()) as {
    model_version: string;
    outputs: { name: string; data: unknown[] }[];
  };
  expect(infer.status, JSON.stringify(answer)).toBe(200);
  const label = answer.outputs.find((o) => o.name === "predict")?.data[0];
  expect(["Adelie", "Chinstrap", "Gentoo"]).toContain(label);
  return { listed, answered: answer.model_version };
}

describe("the MLflow registry on a real tracking server", () => {
  let project = "";
  let store = "";
  let tracking: Tracking | undefined;
  let service: RunningService | undefined;
  let env: Record<string, string> = {};
  const registered: TrackedRun[] = [];

  beforeAll(async () => {
    project = await penguinsSpecies(); // generated once per e2e run (./shared.ts)
    store = await fs.mkdtemp(path.join(await fs.realpath(os.tmpdir()), "ds-service-registry-"));
    tracking = await startMlflow(project, store);
    env = {
      ...notCi,
      MLFLOW_TRACKING_URI: tracking.url,
      MODEL_CACHE_DIR: path.join(store, "cache"),
    };
  });

  afterAll(async () => {
    await service?.stop();
    await tracking?.stop();
    if (store) await fs.rm(store, { recursive: true, force: true });
  });

  async function train(label: string): Promise<TrackedRun> {
    const trained = await make(project, "train", env);
    expect(trained.code, trained.out).toBe(0);
    const run = JSON.parse(
      await fs.readFile(path.join(project, "artifacts/tracking.json"), "utf8"),
    ) as TrackedRun;
    console.log(`registry: ${label} → run ${run.run_id}, version ${run.registered_version}`);
    return run;
  }

  it("the server runs the locked mlflow outside .venv: an exact uv sync keeps mlflow importable", async () => {
    // The full mlflow and mlflow-skinny install the same mlflow/ files: in .venv together, the
    // exact `uv sync` below (make setup's) would remove mlflow and those files with it. (It also
    // removes the groups other files synced into the shared project; they sync them again.)
    const installed = await mlflowDists(project);
    const lock = await fs.readFile(path.join(project, "uv.lock"), "utf8");
    const locked = /\[\[package\]\]\nname = "mlflow"\nversion = "([^"]+)"/.exec(lock)?.[1];
    expect(locked).toMatch(/^\d/);
    const version = await fetch(`${(tracking as Tracking).url}/version`);
    expect(await version.text()).toBe(locked);

    const synced = await execa("uv", ["sync"], { cwd: project, all: true, reject: false });
    expect(synced.exitCode, synced.all).toBe(0);
    const imported = await execa("uv", ["run", "python", "-c", "import mlflow.client"], {
      cwd: project,
      all: true,
      reject: false,
    });
    expect(imported.exitCode, imported.all).toBe(0);
    expect(installed).toEqual([`mlflow_skinny-${locked}.dist-info`]);
    expect(await mlflowDists(project)).toEqual(installed);
  });

  it("two trained and promoted versions; make serve MODEL_URI serves production's", async () => {
    for (const label of ["first train", "second train"]) {
      const run = await train(label);
      registered.push(run);
      const promoted = await make(project, "promote", env);
      expect(promoted.code, promoted.out).toBe(0);
      expect(promoted.out).toContain(
        `moved production to ${slug} version ${run.registered_version}`,
      );
    }
    const [first, second] = registered.map((r) => r.registered_version);
    expect(Number(second)).toBe(Number(first) + 1);
    expect(await versions(tracking as Tracking)).toEqual([first, second]);

    // What the image CD builds carries: artifacts/ of a tracked train, with its tracking.json.
    // Served as a folder, it reports the server's version of the model in it.
    service = await startService(project, env);
    const local = await served(service);
    console.log(`registry: artifacts/ served as versions ${JSON.stringify(local.listed)}`);
    expect(local.listed[0]).toBe(second);
    expect(local.answered).toBe(second);
    await service.stop();

    // Nothing local to fall back on: the service must fetch production's files from the server.
    await fs.rm(path.join(project, "artifacts"), { recursive: true, force: true });
    service = await startService(project, { ...env, MODEL_URI: production });
    const { listed, answered } = await served(service);
    console.log(`registry: ${production} served as versions ${JSON.stringify(listed)}`);
    expect(listed[0]).toBe(second);
    expect(answered).toBe(second);
  });

  it("a worse model registers nothing; make rollback-model serves the earlier version", async () => {
    const [first, second] = registered.map((r) => r.registered_version);
    const before = await versions(tracking as Tracking);
    // Regularized into near-uselessness: the quality gate refuses it (make exits 2, train 1).
    const worse = await make(project, "train", { ...env, TRAIN_MODEL__C: "0.0001" });
    expect(worse.code, worse.out).not.toBe(0);
    expect(worse.out).toContain("train] Error 1");
    expect(worse.out).toContain("quality gate failed");
    expect(await versions(tracking as Tracking)).toEqual(before);

    const rolledBack = await make(project, "rollback-model", env);
    expect(rolledBack.code, rolledBack.out).toBe(0);
    expect(rolledBack.out).toContain(`from version ${second} back to version ${first}`);
    await service?.stop();
    service = await startService(project, { ...env, MODEL_URI: production });
    const { listed, answered } = await served(service);
    console.log(`registry: after rollback ${production} served as ${JSON.stringify(listed)}`);
    expect(listed[0]).toBe(first);
    expect(answered).toBe(first);
    await service.stop();
    service = undefined;
  });

  it("the tracking server stopped mid-run: make train fails naming it, registers nothing", async () => {
    const server = tracking as Tracking;
    const before = await versions(server);
    const child = execa("make", ["train"], {
      cwd: project,
      env,
      all: true,
      reject: false,
    });
    // The bar was read from the server; kill it (no graceful stop) while the model trains.
    let killed = false;
    let killedAt = 0;
    child.all?.on("data", (chunk: Buffer) => {
      if (!killed && chunk.toString().includes("non-regression bar in force")) {
        killed = true;
        killedAt = Date.now();
        void server.stop("SIGKILL");
      }
    });
    const result = await child;
    const out = String(result.all);
    expect(killed, out).toBe(true);
    // The project's own retry bound (io/mlflow_store.py), not MLflow's ~4 minutes of back-off.
    const gaveUp = (Date.now() - killedAt) / 1000;
    console.log(
      `registry: make train gave up on the dead server ${gaveUp.toFixed(1)} s after it died`,
    );
    expect(gaveUp).toBeLessThan(90);
    expect(result.exitCode, out).not.toBe(0);
    expect(out).toContain("train] Error 3"); // the job's code for a tracking failure
    expect(out).toContain(`tracking to ${server.url} failed, nothing registered`);
    await expect(fs.access(path.join(project, "artifacts/tracking.json"))).rejects.toThrow();

    // The same store, served again: no version was added, production did not move.
    tracking = await startMlflow(project, store);
    expect(await versions(tracking)).toEqual(before);
    const alias = await fetch(
      `${tracking.url}/api/2.0/mlflow/registered-models/alias?name=${slug}&alias=production`,
    );
    const { model_version: current } = (await alias.json()) as {
      model_version: { version: string };
    };
    expect(current.version).toBe(registered[0]?.registered_version);
  });
});
