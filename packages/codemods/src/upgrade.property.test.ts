import fsSync from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { type Exec, execaExec } from "@ds-service/generator";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { violations } from "./property/invariants.js";
import { arm, disarm, guarded, Killed, leftLocks, step } from "./property/kill.js";
import {
  describeScenario,
  type Scenario,
  scenarioArb,
  templateSource,
  uneditedArb,
} from "./property/model.js";
import {
  freshModes,
  freshRender,
  projectFor,
  repoTemplate,
  scratchRoot,
  state,
  v2,
  workModes,
  workTree,
} from "./property/project.js";
import { upgradeProject } from "./run-upgrade.js";
import { recoverUpgrade } from "./upgrade-txn.js";

// Proof by property (issue 14, item 5): random template versions v1 → v2 and random user
// edits, as bytes and modes, with declared template moves (renames), upgraded by the real
// library in a real git repository, against invariants judged from the model alone
// (property/invariants.ts):
//   (a) no byte the user wrote is lost unless it equals the base — a moved file's edit reaches
//       its new path (merged, or a conflict there), nothing is left at the old one; the
//       executable bit is merged (the user's chmod wins, else the template's) and the user's
//       other permission bits are kept;
//   (b) every conflict and every delete is reported;
//   (c) an unedited project after the upgrade is a fresh v2 render, byte for byte;
//   (d) a second upgrade is a no-op;
//   (e) a kill at any step, then the recovery the next run starts with, restores or completes.
// PROPERTY_RUNS=<n>: n cases of (a)(b)(d), n/4 each of (c) and (e); the default 160 makes 240
// cases, ~43 s on a quiet 2-core machine (each case is a real repository and ~17 git processes;
// 300 cases took 58 s, too close to CI's minute). PROPERTY_SEED
// replays a run (the seed is printed at the start). Under CI the seed is fixed, so a submission
// is judged on cases that were run before it; elsewhere every run explores new ones.

// Every git process passes the kill switch (the engine runs git only through the exec it is
// given); unarmed, it only forwards. Killed, it leaves the locks that git, SIGKILLed at work,
// leaves (`leftLocks`): the recovery must clear the ones its own steps left.
let gitRuns = 0;
const killSwitchGit: Exec = (file, args, options) => {
  gitRuns++;
  try {
    step(`git ${args.join(" ").slice(0, 80)}`, () => {
      for (const lock of leftLocks(args, options.input)) {
        fsSync.mkdirSync(path.dirname(path.join(options.cwd, ".git", lock)), { recursive: true });
        fsSync.writeFileSync(path.join(options.cwd, ".git", lock), "");
      }
    });
  } catch (error) {
    return Promise.reject(error);
  }
  return execaExec(file, args, options);
};
const deps = { exec: killSwitchGit };

/**
 * Kills that once wedged every later command, now in every run (the journaled applier fixed
 * both): torn-journal, a kill half-way through writing the applier's own files (the journal is
 * written to a temp file and renamed); partial-rm, a kill during the final recursive delete of
 * the transaction folder (the journal is retired before the backups go).
 */
const gaps = new Set(["torn-journal", "partial-rm"]);

/** The applier's own files (journal, backups, saved refs, lock), inside .git/ds-service. */
const inTxnDir = (file: string) =>
  String(file).includes(`${path.sep}.git${path.sep}ds-service${path.sep}`);

/**
 * What a kill in the middle of a call leaves behind: half a file written or copied. Outside
 * the torn-journal gap, a kill on a write of the transaction's own files lands before it.
 */
const tornBy: Partial<Record<string, (...args: never[]) => void>> = {
  writeFile: (file: string, data: string | Uint8Array) => {
    if (inTxnDir(file) && !gaps.has("torn-journal")) return;
    const bytes = Buffer.from(data);
    fsSync.writeFileSync(file, bytes.subarray(0, bytes.length >> 1));
  },
  copyFile: (from: string, to: string) => {
    const bytes = fsSync.readFileSync(from);
    fsSync.writeFileSync(to, bytes.subarray(0, bytes.length >> 1));
  },
  rm: (target: string, opts?: { recursive?: boolean }) => {
    if (!gaps.has("partial-rm") || !opts?.recursive || !fsSync.existsSync(target)) return;
    for (const entry of fsSync.readdirSync(target))
      if (/^\d+$/.test(entry)) fsSync.rmSync(path.join(target, entry));
  },
};

const runs = Number(process.env.PROPERTY_RUNS ?? 160);
const ciSeed = 946175171; // the last seed that found a bug (upgrade-moves.test.ts keeps the case)
const seed = Number(process.env.PROPERTY_SEED ?? (process.env.CI ? ciSeed : Date.now() % 2 ** 31));
const options = (numRuns: number) => ({ numRuns, seed, endOnFailure: false });

let root: string;
let gitTemplate: string;
let cases = 0;

beforeAll(async () => {
  console.log(`upgrade property: seed ${seed} (replay with PROPERTY_SEED=${seed}), ${runs} runs`);
  root = await scratchRoot();
  gitTemplate = await repoTemplate(root);
  // The mutating fs calls the upgrade makes pass the kill switch too (see property/kill.ts).
  const ops = [
    "writeFile",
    "copyFile",
    "chmod",
    "rm",
    "rmdir",
    "mkdir",
    "rename",
    "unlink",
  ] as const;
  for (const op of ops) {
    const original = fs[op] as (...args: unknown[]) => Promise<unknown>;
    vi.spyOn(fs, op).mockImplementation(guarded(op, original.bind(fs), tornBy[op]) as never);
  }
});

afterAll(async () => {
  vi.restoreAllMocks();
  await fs.rm(root, { recursive: true, force: true });
});

/** A fresh directory per case, removed after it whatever happens. */
async function inCase<T>(fn: (caseRoot: string) => Promise<T>): Promise<T> {
  const caseRoot = path.join(root, `case-${cases++}`);
  await fs.mkdir(caseRoot);
  try {
    return await fn(caseRoot);
  } finally {
    await fs.rm(caseRoot, { recursive: true, force: true });
  }
}

/** The user's edits are not committed (see property/project.ts): every upgrade allows that. */
const upgrade = (dir: string, scenario: Scenario) =>
  upgradeProject(
    {
      dir,
      sources: templateSource(v2, scenario, "v2"),
      allowDirty: true,
      codemods: [],
    },
    deps,
  );

function explain(scenario: Scenario, problems: readonly string[], extra = ""): string {
  return `${problems.join("\n")}\n--- case ---\n${describeScenario(scenario)}${extra}`;
}

describe("ds-service upgrade, as a property", () => {
  it("(a)(b)(d) keeps every byte the user wrote, reports every conflict and delete, and converges", async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, (scenario) =>
        inCase(async (caseRoot) => {
          const dir = await projectFor(caseRoot, gitTemplate, scenario, "p");
          const result = await upgrade(dir, scenario);
          const [tree, modes] = [await workTree(dir), await workModes(dir)];
          const fresh = await freshRender(dir, scenario);
          const { conflicts, deletions, moves } = result;
          const outcome = { tree, modes, conflicts, deletions, moves, fresh };
          const problems = violations(scenario, outcome);
          // (d) The upgraded project upgrades to itself.
          const again = await upgrade(dir, scenario);
          if (again.changed.length > 0 || again.conflicts.length > 0 || again.deletions.length > 0)
            problems.push(
              `second upgrade not a no-op: ${JSON.stringify(again.changed)} ${JSON.stringify(again.conflicts)} ${JSON.stringify(again.deletions)}`,
            );
          const reported = `\n--- reported ---\n${JSON.stringify({ conflicts: result.conflicts, deletions: result.deletions })}`;
          expect(problems, explain(scenario, problems, reported)).toEqual([]);
        }),
      ),
      options(runs),
    );
  }, 3_600_000);

  it("(c) an unedited project upgrades to a fresh v2 render, byte for byte", async () => {
    await fc.assert(
      fc.asyncProperty(uneditedArb, (scenario) =>
        inCase(async (caseRoot) => {
          const dir = await projectFor(caseRoot, gitTemplate, scenario, "p");
          const result = await upgrade(dir, scenario);
          const hex = (m: ReadonlyMap<string, Buffer>) =>
            Object.fromEntries([...m].map(([p, b]) => [p, b.toString("hex")]).sort());
          expect(hex(await workTree(dir)), describeScenario(scenario)).toEqual(
            hex(await freshRender(dir, scenario)),
          );
          // Modes too: executable exactly where the v2 render makes a file executable.
          const executable = (m: ReadonlyMap<string, number | undefined>) =>
            [...m]
              .filter(([, mode]) => ((mode ?? 0) & 0o111) !== 0)
              .map(([p]) => p)
              .sort();
          expect(executable(await workModes(dir)), describeScenario(scenario)).toEqual(
            executable(await freshModes(dir, scenario)),
          );
          expect(result.conflicts).toEqual([]);
        }),
      ),
      options(Math.max(1, Math.round(runs / 4))),
    );
  }, 3_600_000);

  it("(e) a kill at any step, then the next run's recovery, restores or completes", async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, fc.nat(), (scenario, at) =>
        inCase(async (caseRoot) => {
          const clean = await projectFor(caseRoot, gitTemplate, scenario, "clean");
          const killed = path.join(caseRoot, "killed");
          await fs.cp(clean, killed, { recursive: true });
          const before = await state(killed);

          arm();
          const gitBefore = gitRuns;
          await upgrade(clean, scenario).finally(disarm);
          const total = disarm(); // the steps a whole upgrade takes
          // The kill can land on git's steps too: the engine's git runs pass the switch.
          expect(gitRuns, "no git run passed the kill switch").toBeGreaterThan(gitBefore);
          const after = await state(clean);
          const killAt = 1 + (at % total);

          arm(killAt);
          const error = await upgrade(killed, scenario).then(
            () => null,
            (e: unknown) => e,
          );
          disarm();
          const where = `killed at step ${killAt} of ${total}\n${describeScenario(scenario)}`;
          // A kill in the cleanup after the commit point can land on a delete whose failure the
          // applier ignores (the next run finishes it): then the call itself returns.
          if (error !== null) expect(error, where).toBeInstanceOf(Killed);
          // What the next upgrade does first: recover the interrupted one.
          await recoverUpgrade(killed, deps);
          const recovered = await state(killed);
          expect([before, after], where).toContainEqual(recovered);
          // And the project is upgradable again, to the same result.
          await upgrade(killed, scenario);
          expect(await state(killed), where).toEqual(after);
        }),
      ),
      options(Math.max(1, Math.round(runs / 4))),
    );
  }, 3_600_000);
});
