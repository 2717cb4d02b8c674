import fs from "node:fs/promises";
import path from "node:path";
import { serviceTemplateSource } from "@ds-service/generator";
import { killedAt, repoRoot, repoState as snapshot, testdir } from "@ds-service/test-utils";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { CodemodError } from "./codemod.js";
import { fleetReport, fleetUpgrade } from "./fleet.js";
import { fleetReportHtml } from "./fleet-html.js";
import { baseRef } from "./git.js";
import { recoverUpgrade, transactionDir } from "./upgrade-txn.js";

const fixture = path.join(repoRoot, "scripts/e2e/fixtures/template-0.1.0/churn-model");
const git = async (cwd: string, ...args: string[]) =>
  (await execa("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd }))
    .stdout;

async function repo(
  root: string,
  name: string,
  edit?: (dir: string) => Promise<void>,
): Promise<string> {
  const dir = path.join(root, name);
  await fs.cp(fixture, dir, { recursive: true });
  await git(dir, "init", "-q", "-b", "main");
  await git(dir, "add", "-A");
  await git(dir, "commit", "-qm", "scaffold");
  await git(dir, "update-ref", baseRef, "HEAD");
  if (edit) {
    await edit(dir);
    await git(dir, "commit", "-qam", "edit");
  }
  return dir;
}

describe("fleetUpgrade", () => {
  it("upgrades each repository on its own branch and reports every outcome", async () => {
    const root = await testdir();
    const plain = await repo(root, "plain");
    const conflicted = await repo(root, "conflicted", async (dir) => {
      const readme = path.join(dir, "README.md");
      await fs.writeFile(
        readme,
        (await fs.readFile(readme, "utf8")).replace("0.1.0).", "0.1.0, ours)."),
      );
    });
    const dirty = await repo(root, "dirty");
    await fs.appendFile(path.join(dirty, "README.md"), "uncommitted\n");
    const notARepo = path.join(root, "not-a-repo");
    await fs.mkdir(notARepo);
    const conflictedBefore = await git(conflicted, "status", "--porcelain");

    const entries = await fleetUpgrade({
      paths: [plain, conflicted, dirty, notARepo],
      concurrency: 2,
    });
    expect(entries.map((e) => [path.basename(e.path), e.status])).toEqual([
      ["plain", "upgraded"],
      ["conflicted", "conflicts"],
      ["dirty", "failed"],
      ["not-a-repo", "failed"],
    ]);

    // One commit on the new branch; the repository is back on main with main untouched.
    const branch = entries[0]?.branch ?? "";
    expect(branch).toBe(`ds-service/upgrade-${serviceTemplateSource.packageVersion}`);
    expect(await git(plain, "rev-parse", "--abbrev-ref", "HEAD")).toBe("main");
    expect(await git(plain, "rev-list", "--count", `main..${branch}`)).toBe("1");
    expect(await git(plain, "status", "--porcelain")).toBe("");
    expect(await git(plain, "show", `${branch}:confs/train.yaml`)).toContain("holdout_fraction");
    expect(await fs.readFile(path.join(plain, "confs/train.yaml"), "utf8")).toContain("test_size");
    expect(entries[1]?.detail).toBe("README.md");
    expect(await git(conflicted, "status", "--porcelain")).toBe(conflictedBefore);

    // Running it again: the branch exists, so nothing is redone.
    const again = await fleetUpgrade({ paths: [plain] });
    expect(again[0]).toMatchObject({ status: "failed", detail: `branch ${branch} already exists` });
  });

  it("reports an up-to-date repository as current", async () => {
    const root = await testdir();
    const dir = await repo(root, "r");
    await git(
      dir,
      "merge",
      "--quiet",
      "--ff-only",
      (await fleetUpgrade({ paths: [dir] }))[0]?.branch ?? "",
    );
    expect((await fleetUpgrade({ paths: [dir] }))[0]?.status).toBe("current");
  });
});

const upgradeBranch = `ds-service/upgrade-${serviceTemplateSource.packageVersion}`;

/** One step of each run of same-kind steps ("backup …", "write …") is enough: first and last. */
function chosenSteps(steps: readonly string[]): number[] {
  const kind = (s: string) => s.split(" ")[0];
  return steps.flatMap((s, i) =>
    kind(steps[i - 1] ?? "") === kind(s) && kind(steps[i + 1] ?? "") === kind(s) ? [] : [i],
  );
}

describe("fleetUpgrade stopped at any step", () => {
  it("is restored whole by the next command (files, refs, HEAD, no branch), and a rerun upgrades", async () => {
    const root = await testdir();
    const steps: string[] = [];
    await fleetUpgrade({ paths: [await repo(root, "reference")], onStep: (s) => steps.push(s) });
    // The branch and its commit are steps of the transaction, between the writes and its commit.
    expect(steps.slice(steps.indexOf("base"))).toEqual([
      "base",
      "git switch -c",
      "git add",
      "git commit",
      "finish",
      "commit",
      "cleanup",
    ]);
    for (const k of chosenSteps(steps)) {
      const dir = await repo(root, `killed-${k}`);
      const before = await snapshot(dir);
      const step = await killedAt(k, (onStep) => fleetUpgrade({ paths: [dir], onStep }));
      const where = `killed after "${step}"`;
      expect(step, where).toBe(steps[k]);
      // The process is gone: so is its hold on the lock.
      await fs.rm(path.join(path.dirname(await transactionDir(dir)), "lock"));
      const committed = k >= steps.indexOf("commit");
      await recoverUpgrade(dir); // what the next command (`check`, `upgrade`, `fleet`) does first
      if (!committed) expect(await snapshot(dir), where).toEqual(before);
      await expect(fs.stat(await transactionDir(dir)), where).rejects.toThrow(/ENOENT/);
      const [again] = await fleetUpgrade({ paths: [dir] });
      expect(again?.status, `${where}: ${again?.detail}`).toBe(committed ? "failed" : "upgraded");
      expect(await git(dir, "symbolic-ref", "--short", "HEAD"), where).toBe("main");
      expect(await git(dir, "rev-list", "--count", `main..${upgradeBranch}`), where).toBe("1");
      expect(await git(dir, "status", "--porcelain"), where).toBe("");
    }
  }, 300_000);

  it("rolls back in place when a git step fails: back on its branch, no branch left", async () => {
    const root = await testdir();
    for (const failing of ["base", "git switch -c", "git add", "git commit", "finish"]) {
      const dir = await repo(root, failing.replaceAll(" ", "-"));
      const before = await snapshot(dir);
      const onStep = (step: string) => {
        if (step === failing) throw new Error(`injected failure after ${step}`);
      };
      const [entry] = await fleetUpgrade({ paths: [dir], onStep });
      expect(entry, failing).toMatchObject({ status: "crashed" });
      expect(entry?.detail, failing).toContain(`injected failure after ${failing}`);
      expect(await snapshot(dir), failing).toEqual(before);
      expect((await fleetUpgrade({ paths: [dir] }))[0]?.status, failing).toBe("upgraded");
    }
  }, 120_000);
});

describe("fleetUpgrade cancelled (Ctrl-C)", () => {
  it("rolls back the repository in flight, starts no other, and reports both cancelled", async () => {
    const root = await testdir();
    const first = await repo(root, "first");
    const second = await repo(root, "second");
    const before = [await snapshot(first), await snapshot(second)];
    const controller = new AbortController();
    const entries = await fleetUpgrade({
      paths: [first, second],
      concurrency: 1,
      signal: controller.signal,
      // Ctrl-C once the first repository's journal is written, before any file is.
      onStep: (step) => {
        if (step === "journal") controller.abort();
      },
    });
    expect(entries.map((e) => e.status)).toEqual(["cancelled", "cancelled"]);
    expect(entries[1]?.detail).toMatch(/not started/);
    expect([await snapshot(first), await snapshot(second)]).toEqual(before);
    for (const dir of [first, second]) {
      expect(await git(dir, "branch", "--list", upgradeBranch)).toBe("");
    }
  }, 120_000);
});

describe("fleetUpgrade --dry-run and what it reports", () => {
  it("plans every repository, writes nothing, makes no branch, and reports deletes like upgrade", async () => {
    const root = await testdir();
    // Deleted here, changed by the template: a delete `upgrade` reports (user-deleted-changed).
    const deleted = await repo(root, "deleted", async (dir) => {
      await fs.rm(path.join(dir, "README.md"));
    });
    const before = await snapshot(deleted);
    const [dry] = await fleetUpgrade({ paths: [deleted], dryRun: true });
    expect(dry).toMatchObject({
      status: "would-upgrade",
      branch: upgradeBranch,
      from: "0.1.0",
      to: serviceTemplateSource.packageVersion,
      conflicts: [],
      deletions: [{ path: "README.md", kind: "user-deleted-changed" }],
    });
    expect(dry?.changed).toContain("confs/train.yaml");
    expect(dry?.diff).toContain("+++ b/confs/train.yaml");
    expect(await snapshot(deleted)).toEqual(before);
    await expect(fs.stat(path.join(deleted, ".git/ds-service"))).rejects.toThrow(/ENOENT/);

    // The real run does what the dry run said, and reports the same deletes.
    const [real] = await fleetUpgrade({ paths: [deleted] });
    expect(real).toMatchObject({ status: "upgraded", branch: upgradeBranch });
    expect(real?.deletions).toEqual(dry?.deletions);
    expect(real?.changed).toEqual(dry?.changed);
    expect(real?.diff).toBeUndefined();
    // Once the branch exists, a dry run predicts the refusal the real run meets.
    const [again] = await fleetUpgrade({ paths: [deleted], dryRun: true });
    expect(again).toMatchObject({
      status: "failed",
      detail: `branch ${upgradeBranch} already exists`,
    });
  });

  it("tells a crash (a bug) from a refusal, per repository", async () => {
    const root = await testdir();
    const codemod = (error: Error) => ({
      name: "explode",
      description: "fails",
      introducedIn: serviceTemplateSource.packageVersion,
      idempotent: true,
      transform: () => Promise.reject(error),
    });
    const refused = await repo(root, "refused");
    const crashed = await repo(root, "crashed");
    const [r] = await fleetUpgrade({
      paths: [refused],
      codemods: [codemod(new CodemodError("no"))],
    });
    expect(r).toMatchObject({
      status: "failed",
      detail: "codemod explode cannot migrate this project: no",
    });
    const [c] = await fleetUpgrade({ paths: [crashed], codemods: [codemod(new TypeError("bug"))] });
    expect(c?.status).toBe("crashed");
    expect(c?.detail).toMatch(/^TypeError: bug\n\s+at /);
  });
});

describe("fleetReport", () => {
  it("lists versions and drift, and renders them as escaped HTML", async () => {
    const root = await testdir();
    const edited = await repo(root, "edited<b>", async (dir) => {
      await fs.appendFile(path.join(dir, ".editorconfig"), "# mine\n");
    });
    const rows = await fleetReport([edited, path.join(root, "missing")]);
    expect(rows[0]).toMatchObject({
      templateVersion: "0.1.0",
      outdated: true,
      drift: [".editorconfig (edited)"],
    });
    expect(rows[1]?.error).toBeDefined();
    const html = fleetReportHtml(rows, new Date(0));
    expect(html).toContain("edited&lt;b&gt;");
    expect(html).not.toContain("edited<b>");
    expect(html).toContain("0 of 2 repositories current");
  });
});
