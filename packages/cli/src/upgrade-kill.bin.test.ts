import fs from "node:fs/promises";
import path from "node:path";
import { serviceTemplateSource } from "@ds-service/generator";
import { cliBin, listTree, oldProjectRepo, runCli } from "@ds-service/test-utils";
import { execa } from "execa";
import { describe, expect, it } from "vitest";

// A real `ds-service upgrade` killed (SIGKILL: no handler runs) at random points; the next
// `ds-service check` must leave the tree — every file and refs/ds-service/* — either exactly as
// before the upgrade or exactly upgraded, never in between.
const iterations = 16;

const git = (dir: string, ...args: string[]) =>
  execa("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: dir });

const oldProject = () => oldProjectRepo();

/** Work-tree bytes, and each refs/ds-service/* ref by the tree it holds (commit times vary). */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of await listTree(dir)) {
    if (!f.startsWith(".git/")) out[f] = (await fs.readFile(path.join(dir, f))).toString("base64");
  }
  const refs = (await git(dir, "for-each-ref", "--format=%(refname)", "refs/ds-service/")).stdout;
  for (const ref of refs.split("\n").filter(Boolean)) {
    out[ref] = (await git(dir, "rev-parse", `${ref}^{tree}`)).stdout;
  }
  return out;
}

function delays(seed: number, count: number, maxMs: number): number[] {
  let state = seed >>> 0;
  return Array.from({ length: count }, () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state % maxMs;
  });
}

/** Resolves when the upgrade's journal exists (or the process has ended). */
async function journalAppears(dir: string, child: { exitCode?: number | null }): Promise<void> {
  const journal = path.join(dir, ".git/ds-service/txn/journal.json");
  for (let waited = 0; waited < 30_000; waited += 2) {
    if (
      await fs.stat(journal).then(
        () => true,
        () => false,
      )
    )
      return;
    if (child.exitCode !== null && child.exitCode !== undefined) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe("killed upgrade (built bin)", () => {
  it(`is rolled back by the next check, across ${iterations} random kills`, async () => {
    const reference = await oldProject();
    const before = await snapshot(reference);
    const started = Date.now();
    const clean = await runCli(["upgrade", "--cwd", reference]);
    expect(clean.exitCode, clean.stderr).toBe(0);
    const span = Math.max(300, Math.round((Date.now() - started) * 1.2));
    const upgraded = await snapshot(reference);
    expect(upgraded).not.toEqual(before);

    const seed = Number(process.env.DS_SERVICE_KILL_SEED ?? Date.now() % 1_000_000);
    const outcomes = { before: 0, upgraded: 0, restoredByCheck: 0 };
    for (const [i, delay] of delays(seed, iterations, span).entries()) {
      const dir = await oldProject();
      const child = execa(process.execPath, [cliBin, "upgrade", "--cwd", dir], {
        reject: false,
        stdin: "ignore",
        env: { NO_COLOR: "1" },
      });
      // Odd iterations aim inside the transaction: kill once its journal exists (+ 0–30 ms).
      const inTxn = i % 2 === 1;
      if (inTxn) await journalAppears(dir, child);
      await new Promise((resolve) => setTimeout(resolve, inTxn ? delay % 31 : delay));
      child.kill("SIGKILL");
      await child;
      const where = `seed ${seed}, iteration ${i}, SIGKILL ${inTxn ? `${delay % 31} ms after the journal` : `after ${delay} ms`}`;
      const check = await runCli(["check", "--cwd", dir]);
      if (/Restored \d+ file/.test(check.stdout)) outcomes.restoredByCheck++;
      // No journal, backup or lock is left: the state directory itself is gone.
      await expect(fs.stat(path.join(dir, ".git/ds-service")), where).rejects.toThrow(/ENOENT/);
      const after = await snapshot(dir);
      if (
        after["pyproject.toml"] === before["pyproject.toml"] &&
        !after[`refs/ds-service/bases/${serviceTemplateSource.packageVersion}`]
      ) {
        expect(after, where).toEqual(before);
        expect(check.exitCode, `${where}: ${check.stderr}`).toBe(1); // outdated: a newer template exists
        outcomes.before++;
      } else {
        expect(after, where).toEqual(upgraded);
        outcomes.upgraded++;
      }
    }
    console.log(`upgrade kill suite (seed ${seed}, span ${span} ms): ${JSON.stringify(outcomes)}`);
    expect(outcomes.before + outcomes.upgraded).toBe(iterations);
  }, 600_000);
});
