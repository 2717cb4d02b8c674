import { createHash } from "node:crypto";
import fs from "node:fs";
import { createRequire, Module } from "node:module";
import os from "node:os";
import path from "node:path";
import vm from "node:vm";

/**
 * Loads a CommonJS bundle through V8's code cache, so a second start skips parsing and compiling
 * the ~2 MB CLI: most of what `ds-service new` costs above a bare `node` is compiling, not
 * generating. Node 22 has `module.enableCompileCache()`; Node 20 has only `vm.Script`'s
 * `cachedData`. We write the cache after the command ran (`createCachedData()` then includes
 * every function the run compiled, not only the top level — which is why this is not
 * v8-compile-cache, whose cache is taken before anything runs).
 *
 * The cache is an optimisation only: any failure to read or write it falls back to a normal
 * compile, and `DS_SERVICE_NO_COMPILE_CACHE=1` turns it off.
 */
export interface CachedModule<T> {
  readonly exports: T;
  /** What the code cache did for this load: used, absent, refused by V8, or turned off. */
  readonly cache: "hit" | "miss" | "rejected" | "off";
  /** Writes the code cache if this run had none (or V8 rejected it); never throws. */
  persist(): void;
}

export function loadCached<T>(file: string, dir = cacheDir()): CachedModule<T> {
  const source = fs.readFileSync(file, "utf8");
  const cacheFile = cachePath(file, dir);
  const cachedData = cacheFile ? readIfPresent(cacheFile) : undefined;
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const module = { exports: {} as T };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(
    module.exports,
    module.exports,
    createRequire(file),
    module,
    file,
    path.dirname(file),
  );
  const cache = !cacheFile
    ? "off"
    : !cachedData
      ? "miss"
      : script.cachedDataRejected
        ? "rejected"
        : "hit";
  return {
    exports: module.exports,
    cache,
    persist() {
      if (!cacheFile || (cachedData && !script.cachedDataRejected)) return;
      writeAtomically(cacheFile, script.createCachedData());
      prune(path.dirname(cacheFile), cacheFile);
    },
  };
}

/**
 * One cache file per bundle build, Node version and architecture: V8 only checks the source's
 * length, so the key carries the bundle's size and mtime to never pair a cache with other code.
 */
function cachePath(file: string, dir: string): string | undefined {
  if (process.env.DS_SERVICE_NO_COMPILE_CACHE) return undefined;
  try {
    const stat = fs.statSync(file);
    const key = createHash("sha256")
      .update([file, stat.size, stat.mtimeMs, process.version, process.arch].join("\0"))
      .digest("hex")
      .slice(0, 24);
    return path.join(dir, `${key}.v8cache`);
  } catch {
    return undefined;
  }
}

/** How many cache files are kept: one per build, Node version and install path would pile up. */
export const keptCaches = 8;

/**
 * Deletes all but the `keptCaches` newest cache files (`keep`, just written, is never deleted),
 * and temp files a killed write left over an hour ago. Every CLI upgrade, Node upgrade or
 * other install path writes a new ~3 MB cache and never reads the old one again. A cache
 * deleted while another process reads it costs that process one compile, nothing more.
 */
function prune(dir: string, keep: string): void {
  try {
    const now = Date.now();
    const entries = fs.readdirSync(dir).flatMap((name) => {
      const file = path.join(dir, name);
      try {
        return [{ file, name, mtime: fs.statSync(file).mtimeMs }];
      } catch {
        return []; // removed meanwhile
      }
    });
    const caches = entries
      .filter((e) => e.name.endsWith(".v8cache") && e.file !== keep)
      .sort((a, b) => b.mtime - a.mtime);
    const stale = entries.filter((e) => e.name.endsWith(".tmp") && now - e.mtime > 3_600_000);
    for (const e of [...caches.slice(keptCaches - 1), ...stale]) fs.rmSync(e.file, { force: true });
  } catch {
    // Pruning is housekeeping: an unreadable directory leaves the caches as they are.
  }
}

function cacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir() || os.tmpdir(), ".cache");
  return path.join(base, "ds-service", "compile-cache");
}

function readIfPresent(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

// Concurrent runs (a fleet upgrade) may write the same cache: a sibling temp file and a rename
// mean a reader sees a whole cache or none.
function writeAtomically(file: string, data: Buffer): void {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(temp, data);
    fs.renameSync(temp, file);
  } catch {
    try {
      fs.rmSync(temp, { force: true });
    } catch {
      // Nothing was written, or the cache directory is unusable: either way nothing to undo.
    }
  }
}
