import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { testdir } from "@ds-service/test-utils";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { keptCaches } from "./compile-cache.js";

// Each load runs in its own node process, as the CLI does: inside one process V8 reuses the
// script it already compiled and would never look at the cache file under test.
const modulePath = fileURLToPath(new URL("./compile-cache.ts", import.meta.url));

const source = (word: string) => `
const table = ${JSON.stringify(Array.from({ length: 200 }, (_, i) => `${word}-${i}`))};
exports.lookup = (i) => table[i];
exports.dirname = __dirname;
exports.file = require("node:path").basename(__filename);
`;

interface Load {
  readonly cache: string;
  readonly value: string;
  readonly dirname: string;
  readonly file: string;
}

async function load(file: string, cacheDir: string, env: Record<string, string> = {}) {
  const script = `
    import { loadCached } from ${JSON.stringify(modulePath)};
    const m = loadCached(${JSON.stringify(file)}, ${JSON.stringify(cacheDir)});
    const { lookup, dirname, file } = m.exports;
    console.log(JSON.stringify({ cache: m.cache, value: lookup(7), dirname, file }));
    m.persist();`;
  const r = await execa(
    process.execPath,
    ["--import", "tsx", "--input-type=module", "-e", script],
    {
      env,
      cwd: path.dirname(modulePath),
    },
  );
  return JSON.parse(r.stdout) as Load;
}

async function setup() {
  const dir = await testdir();
  const file = path.join(dir, "bundle.cjs");
  await fs.writeFile(file, source("row"));
  return { file, cacheDir: path.join(dir, "cache") };
}

const cacheFiles = async (dir: string) => (await fs.readdir(dir).catch(() => [])).sort();

describe("loadCached", () => {
  it("runs the bundle as CommonJS, then loads it from the cache it wrote", async () => {
    const { file, cacheDir } = await setup();
    const first = await load(file, cacheDir);
    expect(first).toEqual({
      cache: "miss",
      value: "row-7",
      dirname: path.dirname(file),
      file: "bundle.cjs",
    });
    expect(await cacheFiles(cacheDir)).toHaveLength(1);
    expect(await load(file, cacheDir)).toMatchObject({ cache: "hit", value: "row-7" });
  });

  it("survives a corrupted cache: V8 refuses it, the bundle still runs, the cache is rewritten", async () => {
    const { file, cacheDir } = await setup();
    await load(file, cacheDir);
    const [name] = await cacheFiles(cacheDir);
    const cachePath = path.join(cacheDir, String(name));
    const good = await fs.readFile(cachePath);
    await fs.writeFile(cachePath, Buffer.alloc(good.length, 7));

    expect(await load(file, cacheDir)).toMatchObject({ cache: "rejected", value: "row-7" });
    expect(await fs.readFile(cachePath)).not.toEqual(Buffer.alloc(good.length, 7));
    expect(await load(file, cacheDir)).toMatchObject({ cache: "hit", value: "row-7" });
  });

  it("never pairs an edited bundle with the old cache, even at the same length", async () => {
    const { file, cacheDir } = await setup();
    await load(file, cacheDir);
    await fs.writeFile(file, source("col")); // same length: V8's own check would not notice
    expect(await load(file, cacheDir)).toMatchObject({ cache: "miss", value: "col-7" });
  });

  it("keeps the newest caches only: each build or Node version writes one, never read again", async () => {
    const { file, cacheDir } = await setup();
    await fs.mkdir(cacheDir);
    const old = Array.from({ length: keptCaches + 3 }, (_, i) => `old-${i}.v8cache`);
    for (const [i, name] of old.entries()) {
      const stale = path.join(cacheDir, name);
      await fs.writeFile(stale, "x");
      const at = new Date(Date.now() - (i + 1) * 60_000); // old-0 is the newest
      await fs.utimes(stale, at, at);
    }
    const killed = path.join(cacheDir, "abc.v8cache.123.tmp"); // a write killed long ago
    await fs.writeFile(killed, "x");
    await fs.utimes(killed, new Date(Date.now() - 7_200_000), new Date(Date.now() - 7_200_000));

    expect(await load(file, cacheDir)).toMatchObject({ cache: "miss", value: "row-7" });
    const left = await cacheFiles(cacheDir);
    expect(left).toHaveLength(keptCaches);
    expect(left).toEqual(expect.arrayContaining(old.slice(0, keptCaches - 1)));
    expect(await load(file, cacheDir)).toMatchObject({ cache: "hit", value: "row-7" });
  });

  it("is off with DS_SERVICE_NO_COMPILE_CACHE; an unusable cache directory is not an error", async () => {
    const { file, cacheDir } = await setup();
    const off = await load(file, cacheDir, { DS_SERVICE_NO_COMPILE_CACHE: "1" });
    expect(off).toMatchObject({ cache: "off", value: "row-7" });
    expect(await cacheFiles(cacheDir)).toEqual([]);

    await fs.writeFile(cacheDir, "a file where the cache directory should be");
    expect(await load(file, cacheDir)).toMatchObject({ cache: "miss", value: "row-7" });
    expect(await load(file, cacheDir)).toMatchObject({ cache: "miss", value: "row-7" });
  });
});
