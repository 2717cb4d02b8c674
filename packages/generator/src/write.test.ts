import fs from "node:fs/promises";
import path from "node:path";
import { listTree, testdir } from "@ds-service/test-utils";
import { describe, expect, it } from "vitest";
import { applyPlan } from "./apply/apply.js";
import { stateDirFor } from "./apply/state-dir.js";
import { CancelledError, ValidationError } from "./errors.js";
import { parseAnswers } from "./generate.js";
import { buildManifest, serializeManifest } from "./manifest/index.js";
import type { Plan } from "./plan.js";
import { writePlan } from "./write.js";

const manifestOf = (plan: Plan) =>
  buildManifest(plan, parseAnswers({ name: "churn-model" }), {
    generator: { name: "g", version: "0.0.0" },
    packages: {},
  });

function planOf(files: Record<string, string>): Plan {
  const plan: Plan = new Map();
  for (const [p, content] of Object.entries(files)) {
    plan.set(p, { path: p, content: Buffer.from(content), ownership: "once" });
  }
  return plan;
}

const sample = planOf({ "a.txt": "A", "src/pkg/b.py": "B", ".gitignore": "x" });

describe("writePlan", () => {
  it("writes every file into a new target and leaves no staging directory", async () => {
    const root = await testdir();
    const target = path.join(root, "nested/project");
    await writePlan(sample, target);
    expect(await listTree(target)).toEqual([".gitignore", "a.txt", "src/pkg/b.py"]);
    expect(await fs.readFile(path.join(target, "src/pkg/b.py"), "utf8")).toBe("B");
    expect(await fs.readdir(path.join(root, "nested"))).toEqual(["project"]);
  });

  it("writes an executable planned file (a script) 0o755, and records it so in the manifest", async () => {
    const plan = planOf({ "a.txt": "A" });
    const script = { path: "run.sh", content: Buffer.from("#!/bin/sh\n"), mode: 0o755 };
    plan.set("run.sh", { ...script, ownership: "managed" });
    const target = path.join(await testdir(), "p");
    await writePlan(plan, target);
    const mode = async (rel: string) => (await fs.stat(path.join(target, rel))).mode & 0o777;
    expect(await mode("run.sh")).toBe(0o755);
    expect((await mode("a.txt")) & 0o111).toBe(0);
    const files = JSON.parse(serializeManifest(manifestOf(plan)).toString("utf8")).files;
    expect(files["run.sh"].executable).toBe(true);
    expect(files["a.txt"]).not.toHaveProperty("executable");
  });

  it("writes into an empty directory that holds only .git", async () => {
    const root = await testdir({ "p/.git/HEAD": "ref: refs/heads/main\n" });
    await writePlan(sample, path.join(root, "p"));
    expect(await listTree(path.join(root, "p"))).toEqual([
      ".git/HEAD",
      ".gitignore",
      "a.txt",
      "src/pkg/b.py",
    ]);
  });

  it("refuses a non-empty target and leaves it byte for byte", async () => {
    const root = await testdir({ "p/keep.txt": "mine" });
    await expect(writePlan(sample, path.join(root, "p"))).rejects.toThrow(/not empty/);
    expect(await listTree(root)).toEqual(["p/keep.txt"]);
    expect(await fs.readFile(path.join(root, "p/keep.txt"), "utf8")).toBe("mine");
  });

  it("refuses a file where the directory should be", async () => {
    const root = await testdir({ p: "a file" });
    await expect(writePlan(sample, path.join(root, "p"))).rejects.toBeInstanceOf(ValidationError);
    expect(await listTree(root)).toEqual(["p"]);
  });

  it("on abort removes what it staged and the parents it created", async () => {
    const root = await testdir();
    const controller = new AbortController();
    controller.abort();
    await expect(
      writePlan(sample, path.join(root, "new/parent/p"), { signal: controller.signal }),
    ).rejects.toBeInstanceOf(CancelledError);
    expect(await fs.readdir(root)).toEqual([]);
  });

  it("on a failing write leaves an existing empty target empty", async () => {
    const root = await testdir({ "p/.git/HEAD": "x" });
    const bad = planOf({ "ok.txt": "1", "../escape.txt": "2" });
    await expect(writePlan(bad, path.join(root, "p"))).rejects.toBeInstanceOf(ValidationError);
    expect(await listTree(root)).toEqual(["p/.git/HEAD"]);
  });

  it("undoes a write killed half-way, then writes the project at the same target", async () => {
    const root = await testdir();
    const target = path.join(root, "p");
    await fs.mkdir(target);
    const ops = [...planOf({ "stale.txt": "1", "src/old.py": "2" }).values()];
    let killed: () => void = () => undefined;
    const died = new Promise<void>((resolve) => {
      killed = resolve;
    });
    void applyPlan(
      target,
      ops.map((f) => ({ path: f.path, content: f.content })),
      {
        stateDir: await stateDirFor(target),
        onStep: (step) => {
          if (step !== "write src/old.py") return undefined;
          killed();
          return new Promise(() => undefined); // the process is gone
        },
      },
    );
    await died;
    expect(await listTree(target)).toContain("stale.txt");
    await writePlan(sample, target);
    expect(await listTree(target)).toEqual([".gitignore", "a.txt", "src/pkg/b.py"]);
  });
});
