import fs from "node:fs/promises";
import path from "node:path";
import { ValidationError } from "./errors.js";

/**
 * Refuses a target nested inside another generated project: that project's upgrades, `check`
 * and git history would then carry a second project's files.
 */
export async function assertTargetLocation(target: string): Promise<void> {
  let dir = path.dirname(path.resolve(target));
  for (;;) {
    if (await exists(path.join(dir, ".ds-service/manifest.json"))) {
      throw new ValidationError(
        `${target} is inside the ds-service project ${dir}; generate next to it, not inside it — nothing was written`,
      );
    }
    const parent = path.dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then(
    () => true,
    () => false,
  );
}
