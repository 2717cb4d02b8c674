import fs from "node:fs/promises";
import path from "node:path";
import { killedAt, testdir } from "@ds-service/test-utils";
import { describe, expect, it } from "vitest";
import { applyPlan, type FileOp } from "./apply.js";
import { recover } from "./recover.js";

// The one applier, stopped at every step it takes: by a failure (it must roll back byte for byte,
// modes included) and by a "kill" — a step hook that never returns, so no catch or cleanup of
// the transaction runs, exactly as with SIGKILL. `recover` on what is left on disk must give
// the tree fully applied or fully restored, and a second `recover` must change nothing.

/** Every entry under `dir`: directories, and files with their bytes and permission bits. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    const abs = path.join(e.parentPath, e.name);
    const rel = path.relative(dir, abs);
    const mode = ((await fs.stat(abs)).mode & 0o777).toString(8);
    out[rel] = e.isDirectory()
      ? `dir ${mode}`
      : `${mode} ${(await fs.readFile(abs)).toString("base64")}`;
  }
  return out;
}

const binary = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xfe, 0x00]);

/** A project with an executable script, a private file, a binary one and a file to delete. */
async function fixture() {
  const root = await testdir({
    "run.sh": "#!/bin/sh\necho 1\n",
    "secret.env": "A=1\n",
    "keep.txt": "k",
  });
  await fs.writeFile(path.join(root, "logo.png"), binary);
  await fs.chmod(path.join(root, "run.sh"), 0o755);
  await fs.chmod(path.join(root, "secret.env"), 0o600);
  await fs.writeFile(path.join(root, "gone.bin"), binary.subarray(2));
  await fs.chmod(path.join(root, "gone.bin"), 0o751);
  // The state outside the files that `finish` changes, as an upgrade moves git refs.
  const outside = await testdir({ "ref.txt": "old-ref" });
  const stateDir = path.join(await testdir(), "ds-service");
  return { root, outside, stateDir };
}

const ops: readonly FileOp[] = [
  { path: "run.sh", content: Buffer.from("#!/bin/sh\necho 2\n") },
  { path: "secret.env", content: Buffer.from("A=2\r\nB=3") },
  { path: "logo.png", content: Buffer.concat([binary, binary]) },
  { path: "gone.bin", content: null },
  { path: "new/deep/tool.sh", content: Buffer.from("#!/bin/sh\n"), mode: 0o755 },
  { path: "new/deep/data.bin", content: binary },
];

type Extra = { fail?: boolean; synchronous?: boolean };

function options(fx: Awaited<ReturnType<typeof fixture>>, extra: Extra = {}) {
  const ref = path.join(fx.outside, "ref.txt");
  return {
    stateDir: fx.stateDir,
    synchronous: extra.synchronous ?? false,
    finish: async () => {
      await fs.writeFile(ref, "new-ref");
      if (extra.fail) throw new Error("finish failed");
    },
    undo: {
      kind: "ref",
      data: "old-ref",
      run: (data: unknown) => fs.writeFile(ref, String(data)),
    },
  };
}

const undo = (fx: Awaited<ReturnType<typeof fixture>>) => ({
  ref: (data: unknown) => fs.writeFile(path.join(fx.outside, "ref.txt"), String(data)),
});

async function state(fx: Awaited<ReturnType<typeof fixture>>) {
  return { root: await snapshot(fx.root), outside: await snapshot(fx.outside) };
}

/** What a clean apply does, and the names of its steps in order. */
async function reference(synchronous: boolean) {
  const fx = await fixture();
  const before = await state(fx);
  const steps: string[] = [];
  await applyPlan(fx.root, ops, {
    ...options(fx, { synchronous }),
    onStep: (s) => void steps.push(s),
  });
  return { before, after: await state(fx), steps };
}

// Both ways of doing the file I/O (thread pool, and synchronous for a new project's many files)
// must take the same steps and undo the same way.
describe.each([{ synchronous: false }, { synchronous: true }])(
  "synchronous: $synchronous",
  ({ synchronous }) => {
    describe("applyPlan", () => {
      it("writes bytes exactly, keeps an existing file's mode, sets a given one, leaves no journal", async () => {
        const fx = await fixture();
        await applyPlan(fx.root, ops, options(fx, { synchronous }));
        const root = await snapshot(fx.root);
        expect(root["run.sh"]).toBe(`755 ${Buffer.from("#!/bin/sh\necho 2\n").toString("base64")}`);
        expect(root["secret.env"]?.startsWith("600 ")).toBe(true);
        expect(root["logo.png"]).toBe(`644 ${Buffer.concat([binary, binary]).toString("base64")}`);
        expect(root["gone.bin"]).toBeUndefined();
        expect(root["new/deep/tool.sh"]?.startsWith("755 ")).toBe(true);
        expect(await fs.readFile(path.join(fx.outside, "ref.txt"), "utf8")).toBe("new-ref");
        await expect(fs.access(path.join(fx.stateDir, "txn"))).rejects.toThrow(/ENOENT/);
      });

      it("rolls back bytes, modes, created directories and the outside state when finish fails", async () => {
        const fx = await fixture();
        const before = await state(fx);
        await expect(
          applyPlan(fx.root, ops, options(fx, { fail: true, synchronous })),
        ).rejects.toThrow(/finish failed/);
        expect(await state(fx)).toEqual(before);
        await expect(fs.access(path.join(fx.stateDir, "txn"))).rejects.toThrow(/ENOENT/);
      });

      it("rolls back when a write fails half-way (a directory where a file must go)", async () => {
        const fx = await fixture();
        await fs.mkdir(path.join(fx.root, "blocked"));
        const before = await state(fx);
        const failing = [
          ...ops.slice(0, 3),
          { path: "blocked", content: Buffer.from("x") },
          ...ops,
        ];
        await expect(applyPlan(fx.root, failing, options(fx, { synchronous }))).rejects.toThrow();
        expect(await state(fx)).toEqual(before);
      });

      it("refuses a plan naming a path twice or one outside the root, writing nothing", async () => {
        const fx = await fixture();
        const before = await state(fx);
        await expect(
          applyPlan(
            fx.root,
            [...ops.slice(0, 1), ...ops.slice(0, 1)],
            options(fx, { synchronous }),
          ),
        ).rejects.toThrow(/twice/);
        await expect(
          applyPlan(
            fx.root,
            [{ path: "../x", content: Buffer.from("") }],
            options(fx, { synchronous }),
          ),
        ).rejects.toThrow(/refusing/);
        expect(await state(fx)).toEqual(before);
      });
    });

    describe("a kill at every step", () => {
      it("of the apply: recover restores or completes it, and a second recover is a no-op", async () => {
        const { before, after, steps } = await reference(synchronous);
        expect(steps.length).toBeGreaterThan(ops.length * 2 + 3);
        const outcomes = { restored: 0, completed: 0 };
        for (let k = 0; k < steps.length; k++) {
          const fx = await fixture();
          const step = await killedAt(k, (onStep) =>
            applyPlan(fx.root, ops, { ...options(fx, { synchronous }), onStep }),
          );
          expect(step, `kill at step ${k}`).toBe(steps[k]);
          const where = `killed after "${steps[k]}"`;
          await recover(fx.stateDir, { undo: undo(fx) });
          const now = await state(fx);
          if (
            now.outside.ref === after.outside.ref &&
            now.root["run.sh"] === after.root["run.sh"]
          ) {
            expect(now, where).toEqual(after);
            outcomes.completed++;
          } else {
            expect(now, where).toEqual(before);
            outcomes.restored++;
          }
          await expect(fs.access(path.join(fx.stateDir, "txn")), where).rejects.toThrow(/ENOENT/);
          expect(await recover(fx.stateDir, { undo: undo(fx) }), where).toBe(0);
          expect(await state(fx), where).toEqual(now);
        }
        // Up to the commit everything is undone; from the commit on (the cleanup) it stands.
        const commit = steps.indexOf("commit");
        expect(outcomes).toEqual({ restored: commit, completed: steps.length - commit });
      });

      it("of the cleanup half-way (some backups deleted, the retired journal left): it completes", async () => {
        const { after, steps } = await reference(synchronous);
        const fx = await fixture();
        await killedAt(steps.indexOf("commit"), (onStep) =>
          applyPlan(fx.root, ops, { ...options(fx, { synchronous }), onStep }),
        );
        const txn = path.join(fx.stateDir, "txn");
        const left = (await fs.readdir(txn)).sort();
        expect(left).toContain("journal.done");
        for (const name of left.filter((n) => n !== "journal.done").slice(0, 2)) {
          await fs.rm(path.join(txn, name));
        }
        expect(await recover(fx.stateDir, { undo: undo(fx) })).toBe(0);
        expect(await state(fx)).toEqual(after);
        await expect(fs.access(txn)).rejects.toThrow(/ENOENT/);
      });

      it("of a recovery, itself killed at every step: the next recover still restores", async () => {
        // A transaction killed after its last write: everything is to be rolled back.
        const { before, steps } = await reference(synchronous);
        const lastWrite = steps.indexOf("finish");
        const recoverySteps: string[] = [];
        {
          const fx = await fixture();
          await killedAt(lastWrite, (onStep) =>
            applyPlan(fx.root, ops, { ...options(fx, { synchronous }), onStep }),
          );
          await recover(fx.stateDir, { undo: undo(fx), onStep: (s) => void recoverySteps.push(s) });
        }
        expect(recoverySteps).toContain("commit");
        for (let j = 0; j < recoverySteps.length; j++) {
          const fx = await fixture();
          await killedAt(lastWrite, (onStep) =>
            applyPlan(fx.root, ops, { ...options(fx, { synchronous }), onStep }),
          );
          await killedAt(j, (onStep) => recover(fx.stateDir, { undo: undo(fx), onStep }));
          const where = `recovery killed after "${recoverySteps[j]}"`;
          await recover(fx.stateDir, { undo: undo(fx) });
          expect(await state(fx), where).toEqual(before);
          await expect(fs.access(path.join(fx.stateDir, "txn")), where).rejects.toThrow(/ENOENT/);
        }
      });

      it("of an in-process rollback: recover finishes restoring", async () => {
        const fx0 = await fixture();
        const before = await state(fx0);
        const steps: string[] = [];
        await applyPlan(fx0.root, ops, {
          ...options(fx0, { fail: true, synchronous }),
          onStep: (s) => void steps.push(s),
        }).catch(() => undefined);
        const rollbackFrom = steps.indexOf(`write ${ops.at(-1)?.path}`) + 1;
        expect(steps[rollbackFrom]).toMatch(/^restore /);
        for (let k = rollbackFrom; k < steps.length; k++) {
          const fx = await fixture();
          await killedAt(k, (onStep) =>
            applyPlan(fx.root, ops, { ...options(fx, { fail: true, synchronous }), onStep }),
          );
          await recover(fx.stateDir, { undo: undo(fx) });
          expect(await state(fx), `killed after "${steps[k]}"`).toEqual(before);
        }
      });

      it("refuses to half-restore a journal whose outside state it cannot restore", async () => {
        const { steps } = await reference(synchronous);
        const fx = await fixture();
        await killedAt(steps.indexOf("finish"), (onStep) =>
          applyPlan(fx.root, ops, { ...options(fx, { synchronous }), onStep }),
        );
        const killed = await state(fx);
        await expect(recover(fx.stateDir)).rejects.toThrow(/ds-service check/);
        expect(await state(fx)).toEqual(killed);
      });
    });
  },
);
