// Refreshes templates/service/uv.lock.seed: the lock a new project starts from (`pnpm lock:seed`).
//
// A new project's `uv lock` resolves from this seed instead of from scratch, so it gets the
// library versions this repository's CI tested with its template, and skips ~12 s of resolution.
// Run it after changing the template's dependencies, or to move new projects to newer
// libraries; the generated-project e2e fails while the seed no longer matches the demo
// project's pyproject.toml. Needs the built CLI (`pnpm build`) and uv.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

const seed = path.join(repoRoot, "templates/service/uv.lock.seed");
const work = await fs.mkdtemp(path.join(os.tmpdir(), "ds-lock-seed-"));
try {
  const project = path.join(work, "lock-seed");
  const cli = path.join(repoRoot, "packages/cli/dist/bin.cjs");
  await execa(process.execPath, [cli, "new", project, "--yes", "--no-install", "--no-git"], {
    stdin: "ignore",
  });
  await execa("uv", ["lock"], {
    cwd: project,
    stdio: "inherit",
  });
  await fs.copyFile(path.join(project, "uv.lock"), seed);
  console.log(`wrote ${path.relative(repoRoot, seed)}`);
} finally {
  await fs.rm(work, { recursive: true, force: true });
}
