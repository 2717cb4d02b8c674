import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * Where the e2e keeps what a person reviews after a run (screenshots of the pages ds-service
 * writes): `e2e-artifacts/` in the repository, or `$E2E_ARTIFACTS`. CI uploads the folder.
 */
export async function artifactPath(name: string): Promise<string> {
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: the e2e suite runs through vitest, never turbo.
  const dir = process.env.E2E_ARTIFACTS ?? path.join(repoRoot, "e2e-artifacts");
  await fs.mkdir(dir, { recursive: true });
  return path.join(dir, name);
}
