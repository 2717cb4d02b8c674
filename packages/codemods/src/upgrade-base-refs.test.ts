import fs from "node:fs/promises";
import path from "node:path";
import {
  type FileSource,
  parseAnswers,
  planProject,
  sources,
  writePlan,
} from "@ds-service/generator";
import { commitAll, git, testdir } from "@ds-service/test-utils";
import { describe, expect, it } from "vitest";
import { upgradeProject } from "./run-upgrade.js";

// A clone does not fetch refs/ds-service/* (git clones branches and tags only). These tests
// clone from a bare repository on disk, as a teammate clones from the team's server.

const readText = (dir: string, rel: string) => fs.readFile(path.join(dir, rel), "utf8");

function template(version: string, notes: string): FileSource[] {
  const extra: FileSource = {
    packageName: "@ds-service/test-extras",
    packageVersion: version,
    files: [{ source: "notes/team.md", ownership: "merged", content: notes, encoding: "utf8" }],
  };
  return [...sources, extra];
}

const v1 = template("1.0.0", "# Team\n\nintro\n\nmiddle\n\nend\n");
const v2 = template("2.0.0", "# Team\n\nintro, from the template\n\nmiddle\n\nend\n");
const edited = "# Team\n\nintro\n\nmiddle\n\nend, ours\n";

/** The project created on v1 with its base refs, pushed to a bare remote (refs too, or not). */
async function origin(options: { pushRefs: boolean }): Promise<{ root: string; bare: string }> {
  const root = await testdir();
  const created = path.join(root, "created");
  await writePlan(await planProject(parseAnswers({ name: "churn-model" }), created, v1), created);
  await git(created, "init", "-q", "-b", "main");
  await commitAll(created);
  await git(created, "update-ref", "refs/ds-service/base", "HEAD");
  await git(created, "update-ref", "refs/ds-service/bases/0.6.0", "HEAD");
  const bare = path.join(root, "origin.git");
  await git(root, "init", "-q", "--bare", "-b", "main", bare);
  await git(created, "push", "-q", bare, "main");
  if (options.pushRefs) await git(created, "push", "-q", bare, "refs/ds-service/*");
  return { root, bare };
}

/** A teammate's clone with an edit committed. */
async function cloneWithEdit(root: string, bare: string): Promise<string> {
  const clone = path.join(root, "clone");
  await git(root, "clone", "-q", bare, clone);
  expect(await git(clone, "for-each-ref", "refs/ds-service/")).toBe("");
  await fs.writeFile(path.join(clone, "notes/team.md"), edited);
  await commitAll(clone);
  return clone;
}

describe("a clone without the template base refs", () => {
  it("fetches them from its remote, then merges 3-way as on the machine that has them", async () => {
    const { root, bare } = await origin({ pushRefs: true });
    const clone = await cloneWithEdit(root, bare);
    const result = await upgradeProject({ dir: clone, sources: v2 });

    expect(result.baseRefs).toEqual({ state: "fetched", remote: "origin" });
    expect(result.conflicts).toEqual([]);
    expect(await readText(clone, "notes/team.md")).toBe(
      "# Team\n\nintro, from the template\n\nmiddle\n\nend, ours\n",
    );
    expect(await git(clone, "for-each-ref", "--format=%(refname)", "refs/ds-service/")).toContain(
      "refs/ds-service/base",
    );
  });

  it("without a remote: no conflict markers, the file untouched, the template's beside it", async () => {
    const { root, bare } = await origin({ pushRefs: true });
    const clone = await cloneWithEdit(root, bare);
    await git(clone, "remote", "remove", "origin");
    const result = await upgradeProject({ dir: clone, sources: v2 });

    expect(result.baseRefs.state).toBe("missing");
    expect(result.baseRefs.hint).toContain(
      "git fetch origin 'refs/ds-service/*:refs/ds-service/*'",
    );
    expect(result.baseRefs.hint).toContain("git push origin 'refs/ds-service/*'");
    expect(result.conflicts).toEqual([
      {
        path: "notes/team.md",
        reason:
          "edited here and changed by the template, and the template base (refs/ds-service/*) is missing: yours is kept, the template's is notes/team.md.ds-service-theirs",
        theirs: "notes/team.md.ds-service-theirs",
      },
    ]);
    expect(await readText(clone, "notes/team.md")).toBe(edited);
    expect(await readText(clone, "notes/team.md.ds-service-theirs")).toBe(
      "# Team\n\nintro, from the template\n\nmiddle\n\nend\n",
    );
    const changed = await Promise.all(result.changed.map((rel) => readText(clone, rel)));
    expect(changed.filter((text) => text.includes("<<<<<<< yours"))).toEqual([]);
  });

  it("a remote without the refs: says to push them from the machine that has them", async () => {
    const { root, bare } = await origin({ pushRefs: false });
    const clone = await cloneWithEdit(root, bare);
    const result = await upgradeProject({ dir: clone, sources: v2, dryRun: true });

    expect(result.baseRefs.state).toBe("missing");
    expect(result.baseRefs.hint).toContain("origin does not have it either");
    expect(result.baseRefs.hint).toContain("git push origin 'refs/ds-service/*'");
    expect(result.conflicts.map((c) => c.theirs)).toEqual(["notes/team.md.ds-service-theirs"]);
  });

  it("a remote that cannot be reached: says the fetch failed and which command to run", async () => {
    const { root, bare } = await origin({ pushRefs: true });
    const clone = await cloneWithEdit(root, bare);
    await git(clone, "remote", "set-url", "origin", path.join(root, "gone.git"));
    const result = await upgradeProject({ dir: clone, sources: v2, dryRun: true });

    expect(result.baseRefs.state).toBe("missing");
    expect(result.baseRefs.hint).toMatch(
      /`git fetch origin 'refs\/ds-service\/\*:refs\/ds-service\/\*'` failed \(.+\)/,
    );
  });
});
