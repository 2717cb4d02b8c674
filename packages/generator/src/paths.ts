import path from "node:path";
import { ValidationError } from "./errors.js";

/**
 * Maps a template path to the generated path: `__package__` becomes the Python package, a
 * segment like `_gitignore` becomes `.gitignore` (package managers drop real dotfiles from
 * published tarballs), and the `.hbs` suffix goes. `__init__.py` keeps its underscores.
 */
export function outputPath(source: string, pkg: string): string {
  const segments = source.split("/").map((segment) => {
    if (segment === "__package__") return pkg;
    if (/^_[a-z]/.test(segment)) return `.${segment.slice(1)}`;
    return segment;
  });
  const last = segments.length - 1;
  segments[last] = (segments[last] ?? "").replace(/\.hbs$/, "");
  return segments.join("/");
}

/**
 * Refuses any relative path that could land outside the target: absolute paths, `..`, empty
 * segments, backslashes and control characters. node-plop itself writes `../x` without a word.
 */
export function assertInside(targetDir: string, relPath: string): string {
  const problem = relativePathProblem(relPath);
  if (problem)
    throw new ValidationError(`refusing to write "${JSON.stringify(relPath)}": ${problem}`);
  const resolved = path.resolve(targetDir, relPath);
  const rel = path.relative(targetDir, resolved);
  if (rel.startsWith("..") || path.isAbsolute(rel)) {
    throw new ValidationError(`refusing to write outside the target: ${relPath}`);
  }
  return resolved;
}

function relativePathProblem(relPath: string): string | undefined {
  if (relPath.length === 0) return "the path is empty";
  if (/[\u0000-\u001f\u007f]/.test(relPath)) return "it contains a control character";
  if (relPath.includes("\\")) return "it contains a backslash";
  if (path.posix.isAbsolute(relPath) || /^[a-zA-Z]:/.test(relPath)) return "it is absolute";
  const segments = relPath.split("/");
  if (segments.some((s) => s === "" || s === "." || s === "..")) {
    return "it has an empty, '.' or '..' segment";
  }
  return undefined;
}
