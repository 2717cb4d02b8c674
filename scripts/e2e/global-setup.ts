import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** A folder for the whole e2e run: projects more than one test file uses (./shared.ts). */
    sharedRoot: string;
  }
}

/** One folder per e2e run for shared projects, removed when the run ends. */
export default async function setup(project: TestProject) {
  const root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), "ds-service-e2e-")));
  project.provide("sharedRoot", root);
  return async () => {
    await fs.rm(root, { recursive: true, force: true });
  };
}
