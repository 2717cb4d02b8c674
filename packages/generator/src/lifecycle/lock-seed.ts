import fs from "node:fs/promises";
import path from "node:path";
import { normalizeName } from "../existing/requirement.js";

const PACKAGE_HEADER = "\n[[package]]\n";
const nameOf = (block: string) => /^name = "([^"]+)"$/m.exec(block)?.[1] ?? "";

/**
 * The seed lock (templates/service/uv.lock.seed) made this project's: the one editable package
 * (the project itself) renamed `projectName` and moved to its place in uv's order, so the lock
 * `uv lock` keeps is the one uv would write. Undefined when the seed has no single project entry:
 * the project then resolves from scratch, as without a seed.
 */
export function seededLock(seed: string, projectName: string): string | undefined {
  const [head = "", ...blocks] = seed.split(PACKAGE_HEADER);
  const own = blocks.filter((block) => /^source = \{ editable = "\." \}$/m.test(block));
  const project = own[0];
  if (own.length !== 1 || project === undefined) return undefined;
  const name = normalizeName(projectName); // PEP 503, as uv.lock lists names (code-point order)
  const renamed = project.replace(/^name = "[^"]+"$/m, `name = "${name}"`);
  // Each block ends with one newline (the blank line between blocks is the separator's), so
  // blocks reorder freely; a stable sort keeps a package's several versions in uv's order.
  const order = (a: string, b: string) =>
    nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0;
  const sorted = [...blocks.filter((block) => block !== project), renamed].sort(order);
  return [head, ...sorted].join(PACKAGE_HEADER);
}

/**
 * Write `uv.lock` from the seed before `uv lock` runs, unless the project has one. `uv lock` then
 * only checks it (a project like the demo) or updates what differs (a `--data` project's groups),
 * keeping every other library at the version the template's CI tested.
 */
export async function writeSeededLock(
  projectDir: string,
  projectName: string,
  seedFile: URL | undefined,
): Promise<boolean> {
  const target = path.join(projectDir, "uv.lock");
  if (seedFile === undefined) return false;
  const seed = await fs.readFile(seedFile, "utf8").catch(() => undefined);
  const lock = seed === undefined ? undefined : seededLock(seed, projectName);
  if (lock === undefined) return false;
  try {
    await fs.writeFile(target, lock, { flag: "wx" }); // never over a lock the project has
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}
