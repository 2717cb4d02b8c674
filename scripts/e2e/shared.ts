import fs from "node:fs/promises";
import path from "node:path";
import { runCli } from "@ds-service/test-utils";
import { execa } from "execa";
import { expect, inject } from "vitest";
import { exportDatasets } from "./datasets.js";

/** The real datasets, exported once per e2e run (./datasets.ts); returns their folder. */
export async function sharedData(): Promise<string> {
  const dir = path.join(inject("sharedRoot"), "data");
  const done = path.join(dir, ".exported");
  if (await exists(done)) return dir;
  await fs.mkdir(dir, { recursive: true });
  await exportDatasets(dir);
  await fs.writeFile(done, "");
  return dir;
}

/**
 * `new penguins-species --data penguins.csv --target species`, generated once per e2e run and
 * shared by the files that check it (datasets, sabotage, ray, registry).
 */
export const penguinsSpecies = () => sharedPenguins("penguins-species", "species");

/** `new penguins-mass … --target body_mass_g`: the regression project (datasets, sabotage). */
export const penguinsMass = () => sharedPenguins("penguins-mass", "body_mass_g");

/**
 * A project generated from penguins.csv once per e2e run and shared by the files that check it:
 * the generation, uv sync and tuning are the slow part. Every caller gets it as generated —
 * tracked files restored, everything untracked or ignored but the virtualenv removed — and may
 * change it freely.
 */
async function sharedPenguins(name: string, target: string): Promise<string> {
  const root = inject("sharedRoot");
  const project = path.join(root, name);
  const ready = path.join(root, `.${name}-ready`);
  if (await exists(ready)) {
    await execa("git", ["checkout", "--", "."], { cwd: project });
    await execa("git", ["clean", "-fdqx", "-e", ".venv"], { cwd: project });
    return project;
  }
  const data = path.join(await sharedData(), "penguins.csv");
  const args = ["new", name, "--yes", "--data", data, "--target", target];
  const created = await runCli(args, { cwd: root, env: { CI: "true" } });
  expect(created.exitCode, created.stderr).toBe(0);
  await fs.writeFile(ready, "");
  return project;
}

async function exists(file: string): Promise<boolean> {
  return fs
    .access(file)
    .then(() => true)
    .catch(() => false);
}

/** A real penguin (Dream island, sex unknown) as the penguins projects take it. */
export const penguinRow = {
  island: "Dream",
  bill_length_mm: 46.5,
  bill_depth_mm: 17.9,
  flipper_length_mm: 192,
  body_mass_g: 3500,
  sex: null,
  year: 2008,
} as const;

/** `penguinRow` as the protocol's per-feature tensors: text as BYTES, numbers FP64, null kept. */
export const penguinInputs = Object.entries(penguinRow).map(([name, value]) => ({
  name,
  shape: [1],
  datatype: typeof value === "number" ? "FP64" : "BYTES",
  data: [value],
}));
