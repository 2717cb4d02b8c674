import { type Exec, mustRun } from "./deps.js";

/**
 * Runs one of the project's Python modules (`uv run python -m …`) as its Makefile runs its
 * targets: Python caches the bytecode of what it imports even where PYTHONDONTWRITEBYTECODE is
 * set (CI and container images often set it; Python reads an empty value as unset). The
 * alternative, `uv sync --compile-bytecode`, compiled all ~9,500 library files at install (~14 s
 * on 2 cores) where a project imports about a third of them.
 */
export async function runPythonModule(
  exec: Exec,
  projectDir: string,
  module: string,
  args: readonly string[] = [],
): Promise<void> {
  await mustRun(exec, "uv", ["run", "python", "-m", module, ...args], {
    cwd: projectDir,
    env: { PYTHONDONTWRITEBYTECODE: "" },
  });
}
