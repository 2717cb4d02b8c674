import fs from "node:fs/promises";
import path from "node:path";
import { cliBin, listTree, testdir } from "@ds-service/test-utils";
import { execa } from "execa";
import { describe, expect, it } from "vitest";

// Ctrl-C and SIGTERM at random points of a real `ds-service new` (the built binary): the target is
// either untouched or a complete project, never partial; no staging directory survives; a
// pre-existing directory beside or at the target keeps exactly what it held.
const iterations = 40;
const args = ["new", "proj", "--yes", "--no-install", "--no-git"];

/** Deterministic (seeded) delays, so a failure can be replayed from the printed seed. */
function delays(seed: number, count: number, maxMs: number): number[] {
  let state = seed >>> 0;
  return Array.from({ length: count }, () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state % maxMs;
  });
}

function spawnNew(cwd: string) {
  return execa(process.execPath, [cliBin, ...args], {
    cwd,
    env: { NO_COLOR: "1", CI: "1" },
    reject: false,
    stdin: "ignore",
    timeout: 60_000,
  });
}

describe("interrupted generation (built bin)", () => {
  it(`leaves nothing or a complete project across ${iterations} random SIGINT/SIGTERM kills`, async () => {
    const reference = await testdir();
    const started = Date.now();
    const full = await spawnNew(reference);
    // Kill anywhere from start-up to a little past a whole run, measured on this machine now.
    const span = Math.max(200, Math.round((Date.now() - started) * 1.3));
    expect(full.exitCode, String(full.stderr)).toBe(0);
    const complete = await listTree(path.join(reference, "proj"));
    expect(complete.length).toBeGreaterThan(40);

    const seed = Number(process.env.DS_SERVICE_KILL_SEED ?? Date.now() % 1_000_000);
    const outcomes = { nothing: 0, complete: 0 };
    for (const [i, delay] of delays(seed, iterations, span).entries()) {
      const signal = i % 2 === 0 ? "SIGINT" : "SIGTERM";
      const preExisting = i % 4 >= 2; // an empty target holding only .git
      const cwd = await testdir({
        "keep/mine.txt": "mine",
        ...(preExisting ? { "proj/.git/HEAD": "ref: refs/heads/main\n" } : {}),
      });
      const child = spawnNew(cwd);
      await new Promise((resolve) => setTimeout(resolve, delay));
      child.kill(signal);
      const r = await child;
      const where = `seed ${seed}, iteration ${i}, ${signal} after ${delay} ms${preExisting ? ", pre-existing target" : ""}`;

      const entries = (await fs.readdir(cwd)).sort();
      expect(
        entries.filter((e) => e.includes(".ds-service-")),
        where,
      ).toEqual([]);
      expect(await listTree(path.join(cwd, "keep")), where).toEqual(["mine.txt"]);
      expect(await fs.readFile(path.join(cwd, "keep/mine.txt"), "utf8")).toBe("mine");
      const tree = entries.includes("proj") ? await listTree(path.join(cwd, "proj")) : [];
      const untouched = preExisting ? [".git/HEAD"] : [];
      const whole = preExisting ? [".git/HEAD", ...complete].sort() : complete;
      if (tree.length === untouched.length) {
        expect(tree, where).toEqual(untouched);
        if (!preExisting) expect(entries, where).toEqual(["keep"]);
        expect(r.exitCode === 130 || r.signal !== undefined, `${where}: ${r.stderr}`).toBe(true);
        outcomes.nothing++;
      } else {
        expect(tree, `${where}: a partial project`).toEqual(whole);
        outcomes.complete++;
      }
      if (preExisting) {
        expect(await fs.readFile(path.join(cwd, "proj/.git/HEAD"), "utf8")).toBe(
          "ref: refs/heads/main\n",
        );
      }
    }
    console.log(`interrupt suite (seed ${seed}, span ${span} ms): ${JSON.stringify(outcomes)}`);
    expect(outcomes.nothing + outcomes.complete).toBe(iterations);
  }, 600_000);
});
