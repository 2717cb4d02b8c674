import fs from "node:fs/promises";
import path from "node:path";
import { listTree, testdir } from "@ds-service/test-utils";
import { describe, expect, it } from "vitest";
import { applyTransaction, recover } from "./transaction.js";

async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of await listTree(dir)) out[f] = await fs.readFile(path.join(dir, f), "utf8");
  return out;
}

const changes = [
  { path: "a.txt", after: "A2" },
  { path: "gone.txt", after: null },
  { path: "new/dir/c.txt", after: "C" },
];

describe("applyTransaction", () => {
  it("applies every change and leaves no journal", async () => {
    const root = await testdir({ "a.txt": "A", "gone.txt": "G" });
    const txn = path.join(await testdir(), "txn");
    await applyTransaction(root, txn, changes);
    expect(await snapshot(root)).toEqual({ "a.txt": "A2", "new/dir/c.txt": "C" });
    await expect(fs.access(txn)).rejects.toThrow();
  });

  it("restores the tree byte for byte when the final step fails", async () => {
    const root = await testdir({ "a.txt": "A", "gone.txt": "G" });
    const before = await snapshot(root);
    const txn = path.join(await testdir(), "txn");
    await expect(
      applyTransaction(root, txn, changes, async () => {
        throw new Error("ref update failed");
      }),
    ).rejects.toThrow("ref update failed");
    expect(await snapshot(root)).toEqual(before);
    expect(await fs.readdir(root)).toEqual(["a.txt", "gone.txt"]); // no leftover new/dir
  });

  it("restores the tree when a write fails half-way", async () => {
    const root = await testdir({ "a.txt": "A", blocker: "a file where a directory must go" });
    const before = await snapshot(root);
    const txn = path.join(await testdir(), "txn");
    await expect(
      applyTransaction(root, txn, [
        { path: "a.txt", after: "A2" },
        { path: "blocker/x.txt", after: "X" },
      ]),
    ).rejects.toThrow();
    expect(await snapshot(root)).toEqual(before);
  });

  it("recovers a transaction killed mid-way from its journal", async () => {
    const root = await testdir({ "a.txt": "A", "gone.txt": "G" });
    const before = await snapshot(root);
    const txn = path.join(await testdir(), "txn");
    // Simulate a kill after the journal was written and some files changed.
    await fs.mkdir(txn);
    await fs.copyFile(path.join(root, "a.txt"), path.join(txn, "0"));
    await fs.copyFile(path.join(root, "gone.txt"), path.join(txn, "1"));
    await fs.writeFile(
      path.join(txn, "journal.json"),
      JSON.stringify([
        { path: "a.txt", backup: 0 },
        { path: "gone.txt", backup: 1 },
        { path: "new/dir/c.txt", backup: null },
      ]),
    );
    await fs.writeFile(path.join(root, "a.txt"), "half-written");
    await fs.rm(path.join(root, "gone.txt"));
    await fs.mkdir(path.join(root, "new/dir"), { recursive: true });
    await fs.writeFile(path.join(root, "new/dir/c.txt"), "C");

    expect(await recover(root, txn)).toBe(3);
    expect(await snapshot(root)).toEqual(before);
    expect(await recover(root, txn)).toBe(0);
  });
});
