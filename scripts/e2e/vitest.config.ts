import { defineConfig } from "vitest/config";

// The slow suite: generates real projects and runs their own tools (uv, ruff, mypy, pytest),
// serves them on loopback, and installs the packed packages outside the monorepo.
// One file at a time: these saturate the 2 cores CI has.
export default defineConfig({
  test: {
    include: ["scripts/e2e/**/*.e2e.test.ts"],
    // A folder for the run: projects shared by more than one file (shared.ts).
    globalSetup: ["scripts/e2e/global-setup.ts"],
    fileParallelism: false,
    testTimeout: 15 * 60_000,
    hookTimeout: 5 * 60_000,
  },
});
