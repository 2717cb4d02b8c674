import fs from "node:fs/promises";
import path from "node:path";
import { serviceTemplateSource } from "@ds-service/generator";
import { commitAll, oldProjectRepo, runCli, repoState as snapshot } from "@ds-service/test-utils";
import { describe, expect, it } from "vitest";

// `fleet upgrade` and `fleet report` as a scheduled job sees them: what --dry-run and --json
// print, and exit codes that tell findings (1) from a crash (70).

const branch = `ds-service/upgrade-${serviceTemplateSource.packageVersion}`;

/** A 0.1.0 repository whose README the user deleted (the template changed it: a reported delete). */
async function withDeletedReadme(): Promise<string> {
  const dir = await oldProjectRepo();
  await fs.rm(path.join(dir, "README.md"));
  await commitAll(dir, "no readme");
  return dir;
}

describe("fleet upgrade (built bin)", () => {
  it("--dry-run writes nothing and reports per repository what would change, deletes included", async () => {
    const dir = await withDeletedReadme();
    const before = await snapshot(dir);

    const json = await runCli(["fleet", "upgrade", "--dry-run", "--json", dir]);
    expect(json.exitCode, json.stderr).toBe(0);
    const document = JSON.parse(json.stdout); // one document on stdout
    expect(document.dryRun).toBe(true);
    expect(document.entries).toMatchObject([
      {
        path: dir,
        status: "would-upgrade",
        branch,
        deletions: [{ path: "README.md", kind: "user-deleted-changed" }],
        moves: [],
        conflicts: [],
      },
    ]);
    expect(document.entries[0].changed).toContain("confs/train.yaml");
    expect(document.entries[0].diff).toContain("+++ b/confs/train.yaml");

    const text = await runCli(["fleet", "upgrade", "--dry-run", dir]);
    expect(text.exitCode, text.stderr).toBe(0);
    expect(text.stdout).toContain("+++ b/confs/train.yaml");
    expect(text.stdout).toContain(`| ${dir} | would-upgrade | 0.1.0 → `);
    expect(text.stdout).toMatch(
      / {2}DELETED README\.md: deleted here, but changed by the template/,
    );
    expect(text.stdout).toMatch(
      /1 repositories in [\d.]+ s \(dry run: nothing written\): 1 would be upgraded/,
    );

    expect(await snapshot(dir)).toEqual(before);
    await expect(fs.stat(path.join(dir, ".git/ds-service"))).rejects.toThrow(/ENOENT/);
  });

  it("reports the deletes of a real run too, in text and in --json", async () => {
    const [a, b] = [await withDeletedReadme(), await withDeletedReadme()];
    const text = await runCli(["fleet", "upgrade", a]);
    expect(text.exitCode, text.stderr).toBe(0);
    expect(text.stdout).toMatch(
      / {2}DELETED README\.md: deleted here, but changed by the template/,
    );
    const json = await runCli(["fleet", "upgrade", "--json", b]);
    expect(JSON.parse(json.stdout).entries[0]).toMatchObject({
      status: "upgraded",
      deletions: [{ path: "README.md", kind: "user-deleted-changed" }],
    });
  });

  it("exits 70 when a repository crashed, 1 when one only needs a person; one JSON document", async () => {
    const healthy = await oldProjectRepo();
    const broken = await oldProjectRepo();
    // ds-service's state directory is a file: nothing ds-service expects, so an internal error.
    await fs.writeFile(path.join(broken, ".git/ds-service"), "");
    const dirty = await oldProjectRepo();
    await fs.appendFile(path.join(dirty, "README.md"), "uncommitted\n");

    const crashed = await runCli(["fleet", "upgrade", "--json", healthy, broken, dirty]);
    expect(crashed.exitCode, crashed.stderr).toBe(70);
    const document = JSON.parse(crashed.stdout);
    expect(document.entries.map((e: { status: string }) => e.status)).toEqual([
      "upgraded",
      "crashed",
      "failed",
    ]);
    expect(document.entries[1].detail).toMatch(/\n\s+at /); // the stack, for the bug report
    expect(crashed.stderr).toMatch(/1 of 3 repositories crashed .*please report/);

    const text = await runCli(["fleet", "upgrade", "--dry-run", broken]);
    expect(text.exitCode).toBe(70);
    expect(text.stdout).toMatch(/\| crashed \|/);

    const findings = await runCli(["fleet", "upgrade", dirty]);
    expect(findings.exitCode, findings.stderr).toBe(1);
    expect(findings.stdout).toMatch(/\| failed \| {2}\| the work tree has uncommitted changes/);
  });
});

describe("fleet report (built bin)", () => {
  it("exits 1 when a repository drifted, 0 when every one is only outdated", async () => {
    const outdated = await oldProjectRepo();
    const drifted = await oldProjectRepo();
    await fs.appendFile(path.join(drifted, ".editorconfig"), "# drifted\n");
    const ok = await runCli(["fleet", "report", outdated]);
    expect(ok.exitCode, ok.stderr).toBe(0);
    const bad = await runCli(["fleet", "report", "--json", outdated, drifted]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain("1 of 2 repositories drifted or could not be read");
    expect(JSON.parse(bad.stdout)[1].drift).toEqual([".editorconfig (edited)"]);
  });
});
