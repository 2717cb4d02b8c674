/**
 * The environment of the project's Python steps (`uv run python -m …`), as its Makefile gives
 * its targets: Python caches the bytecode of what it imports even where PYTHONDONTWRITEBYTECODE
 * is set (CI and container images often set it; Python reads an empty value as unset). The
 * alternative, `uv sync --compile-bytecode`, compiled all ~9,500 library files at install (~14 s
 * on 2 cores) where a project imports about a third of them.
 */
export const pythonStepEnv: Readonly<Record<string, string>> = { PYTHONDONTWRITEBYTECODE: "" };
