import path from "node:path";
import { manifestPath } from "@ds-service/generator";
import { findUp } from "find-up-simple";

/**
 * The project `start` is in: the nearest directory at or above it holding the manifest, so
 * commands work from any subdirectory, as git does. Without one, `start` itself, so the
 * command's own error names the directory the user gave.
 */
export async function projectRoot(start: string): Promise<string> {
  const found = await findUp(manifestPath, { cwd: start, type: "file" });
  return found ? path.dirname(path.dirname(found)) : start;
}
