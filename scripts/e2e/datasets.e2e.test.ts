import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { runCli } from "@ds-service/test-utils";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startService } from "./serve.js";
import { penguinInputs, penguinRow, penguinsMass, penguinsSpecies, sharedData } from "./shared.js";

// `new --data` on real datasets that nobody here wrote (./datasets.ts). Each project, with zero
// hand edits, passes its own make check and scores > 5 in every ML Test Score section; the
// penguins service answers for rows with a text category and a null, over /predict and over
// the protocol's BYTES tensors.
interface Case {
  readonly file: string;
  readonly target: string;
  readonly task: "binary" | "multiclass" | "regression";
  readonly extra?: readonly string[];
}

const cases: Record<string, Case> = {
  "penguins-species": { file: "penguins.csv", target: "species", task: "multiclass" },
  "penguins-sex": {
    file: "penguins.parquet",
    target: "sex",
    task: "binary",
    extra: ["--protected", "island"],
  },
  "penguins-mass": { file: "penguins.csv", target: "body_mass_g", task: "regression" },
  "breast-cancer": { file: "breast_cancer.csv", target: "target", task: "binary" },
  wine: { file: "wine.csv", target: "target", task: "multiclass" },
  // Not named by the issue: data in general, not the listed sets. Name is free text (refused
  // below) and Year's held-out years would make a time split, not a model, fail the gate.
  cars: {
    file: "cars.csv",
    target: "Origin",
    task: "multiclass",
    extra: ["--exclude", "Name,Year"],
  },
};

// Each case is a whole project's make check and score (about 3.5 minutes on 2 cores). The
// penguins cases (every task, text categories, nulls, Parquet) run every time; of the three
// numeric sets one runs per UTC day, in turn, so each is checked every third day and the suite
// stays inside CI's budget. E2E_DATASETS=all, or a comma-separated list of names, chooses.
const rotating = ["breast-cancer", "wine", "cars"];
// biome-ignore lint/suspicious/noUndeclaredEnvVars: the e2e suite runs through vitest, never turbo.
const chosen = process.env.E2E_DATASETS;
const today = rotating[Math.floor(Date.now() / 86_400_000) % rotating.length] ?? "";
const selected =
  chosen === "all"
    ? Object.keys(cases)
    : chosen
      ? chosen.split(",").map((n) => n.trim())
      : [...Object.keys(cases).filter((n) => !rotating.includes(n)), today];
for (const name of selected)
  if (!(name in cases)) throw new Error(`E2E_DATASETS: no dataset case named ${name}`);
console.log(`datasets this run: ${selected.join(", ")} (E2E_DATASETS=all runs every one)`);

let dataDir = "";
let root = "";

// Shared by every case (testdir() is per test): the data once per e2e run (./shared.ts), the
// projects side by side.
beforeAll(async () => {
  dataDir = await sharedData();
  root = await fs.mkdtemp(path.join(await fs.realpath(os.tmpdir()), "ds-service-datasets-"));
});

afterAll(async () => {
  if (root) await fs.rm(root, { recursive: true, force: true });
});

async function make(project: string, target: string, env: Record<string, string> = {}) {
  const r = await execa("make", [target], { cwd: project, all: true, reject: false, env });
  expect(r.exitCode, `make ${target} failed in ${path.basename(project)}:\n${r.all}`).toBe(0);
  return String(r.all);
}

async function generate(name: string, c: Case): Promise<string> {
  const args = [
    "new",
    name,
    "--yes",
    "--data",
    path.join(dataDir, c.file),
    "--target",
    c.target,
    ...(c.extra ?? []),
  ];
  const created = await runCli(args, { cwd: root, env: { CI: "true" } });
  expect(created.exitCode, created.stderr).toBe(0);
  return path.join(root, name);
}

/** The data is read where it is, never copied into the repository. */
async function expectNoDataTracked(project: string) {
  const tracked = (await execa("git", ["ls-files"], { cwd: project })).stdout.split("\n");
  expect(tracked.filter((f) => /\.(csv|parquet)$/.test(f))).toEqual([]);
}

async function checkAndScore(project: string, task: Case["task"]) {
  const check = await make(project, "check");
  expect(check).toMatch(/\d+ passed/);
  expect(check).not.toMatch(/\d+ (failed|error)/);
  await make(project, "score");
  const score = JSON.parse(
    await fs.readFile(path.join(project, "reports/ml_test_score.json"), "utf8"),
  ) as {
    sections: Record<string, number>;
  };
  console.log(
    `${path.basename(project)} (${task}): ML Test Score sections ${JSON.stringify(score.sections)}`,
  );
  for (const section of ["data", "model", "infrastructure", "monitoring"]) {
    expect(score.sections[section], section).toBeGreaterThan(5);
  }
}

describe("new --data on real datasets", () => {
  it.runIf(selected.includes("penguins-species"))(
    "penguins species (multiclass, text categories, nulls): check, score, serve with a text category and a null",
    async () => {
      const c = cases["penguins-species"] as Case;
      // Generated once for this suite and the sabotage suite (./shared.ts).
      const project = await penguinsSpecies();
      await expectNoDataTracked(project);
      const manifest = JSON.parse(
        await fs.readFile(path.join(project, ".ds-service/manifest.json"), "utf8"),
      );
      expect(manifest.answers.task).toBe("multiclass");
      await checkAndScore(project, c.task);
      await make(project, "train", { CI: "" });

      const service = await startService(project);
      try {
        const row = penguinRow;
        const post = (route: string, body: unknown) =>
          fetch(`${service.baseUrl}${route}`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(body),
          });
        const predict = await post("/predict", {
          instances: [row, { ...row, island: "Biscoe", bill_depth_mm: null, sex: "male" }],
        });
        const predicted = (await predict.json()) as { predictions: unknown[] };
        expect(predict.status, JSON.stringify(predicted)).toBe(200);
        console.log(`penguins /predict ${JSON.stringify(row)} → ${JSON.stringify(predicted)}`);
        expect(predicted.predictions).toHaveLength(2);
        for (const label of predicted.predictions)
          expect(["Adelie", "Chinstrap", "Gentoo"]).toContain(label);

        // The protocol route: text categories as BYTES tensors, numbers as FP64, null where allowed.
        const inputs = penguinInputs;
        const infer = await post("/v2/models/penguins-species/infer", { id: "e2e", inputs });
        const inferred = (await infer.json()) as {
          outputs: { name: string; datatype: string; data: unknown[] }[];
        };
        expect(infer.status, JSON.stringify(inferred)).toBe(200);
        const label = inferred.outputs.find((o) => o.name === "predict");
        expect(label?.datatype).toBe("BYTES");
        expect(label?.data[0]).toBe(predicted.predictions[0]);

        const unseen = await post("/predict", { instances: [{ ...row, island: "Atlantis" }] });
        expect(unseen.status).toBeGreaterThanOrEqual(400);
        expect(unseen.status).toBeLessThan(500);
        expect(JSON.stringify(await unseen.json())).toContain("island");
      } finally {
        await service.stop();
      }
    },
  );

  // Free text is refused by name, with the way out (--exclude, as the cars case above takes).
  it("refuses free text as a feature, naming the column and the way out", async () => {
    const args = [
      "new",
      "cars-text",
      "--yes",
      "--data",
      path.join(dataDir, "cars.csv"),
      "--target",
      "Origin",
    ];
    const refused = await runCli(args, { cwd: root });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/'Name' is text with more than 50 distinct values.*--exclude/);
  });

  it.each(
    Object.entries(cases).filter(
      ([name]) => name !== "penguins-species" && selected.includes(name),
    ),
  )("%s passes its own make check and scores > 5 in every section", async (name, c) => {
    // The regression project is generated once for this suite and the sabotage suite.
    const project = name === "penguins-mass" ? await penguinsMass() : await generate(name, c);
    await expectNoDataTracked(project);
    const manifest = JSON.parse(
      await fs.readFile(path.join(project, ".ds-service/manifest.json"), "utf8"),
    );
    expect(manifest.answers.task).toBe(c.task);
    await checkAndScore(project, c.task);
  });
});
