import fs from "node:fs/promises";
import path from "node:path";
import {
  addFeature,
  answersProfile,
  CancelledError,
  createProject,
  type DatasetProfile,
  type FeatureSpec,
  parseAnswers,
  readGeneratedManifest,
  removeFeature,
  ValidationError,
} from "@ds-service/generator";
import { commitAll, git, oldProjectRepo, repoState, testdir } from "@ds-service/test-utils";
import { describe, expect, it } from "vitest";
import { execaGit } from "./git-exec.js";
import { rerenderProject } from "./rerender.js";

const tenure: FeatureSpec = {
  name: "tenure_months",
  range: [0, 600],
  nullable: false,
  example: 12,
  description: "months since the customer signed up",
  source: "the CRM's signup date",
  owner: "data-science",
  pii: "none",
};

/** A project on the template this ds-service carries, committed, its render the base. */
async function currentProject(): Promise<string> {
  const dir = path.join(await testdir(), "churn-model");
  await createProject({ targetDir: dir, answers: parseAnswers({ name: "churn-model" }) });
  await git(dir, "init", "-q", "-b", "main");
  await commitAll(dir, "scaffold");
  await git(dir, "update-ref", "refs/ds-service/base", "HEAD");
  return dir;
}

async function withFeature(dir: string) {
  const manifest = await readGeneratedManifest(dir);
  const profile: DatasetProfile = addFeature(answersProfile(manifest.answers), tenure);
  return { dir, manifest, profile };
}

describe("rerenderProject", () => {
  it("refuses a project on another template version, changing nothing", async () => {
    const dir = await oldProjectRepo();
    const before = await repoState(dir);
    const manifest = await readGeneratedManifest(dir);
    const error = await rerenderProject({
      dir,
      manifest,
      profile: answersProfile(manifest.answers),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toBe(
      "the project is on template 0.1.0: run `ds-service upgrade` first, then change its data",
    );
    expect(await repoState(dir)).toEqual(before);
  });

  it("a dry run reports the re-render and writes nothing; the real run writes just that", async () => {
    const dir = await currentProject();
    const before = await repoState(dir);
    const dry = await rerenderProject({ ...(await withFeature(dir)), dryRun: true });
    expect(dry.dryRun).toBe(true);
    expect(dry.conflicts).toEqual([]);
    expect(dry.changed).toContain("src/churn_model/core/schemas.py");
    expect(dry.diff).toContain("+    tenure_months: Series[");
    expect(await repoState(dir)).toEqual(before);

    const applied = await rerenderProject(await withFeature(dir));
    expect(applied.dryRun).toBe(false);
    expect(applied.changed).toEqual(dry.changed);
    const schema = await fs.readFile(path.join(dir, "src/churn_model/core/schemas.py"), "utf8");
    expect(schema).toContain("tenure_months: Series[");
    expect((await readGeneratedManifest(dir)).answers.dataset?.features.at(-1)?.name).toBe(
      "tenure_months",
    );
  });

  it("passes the engine's options through: a dirty tree needs allowDirty, a signal cancels, git runs through deps.exec", async () => {
    const dir = await currentProject();
    await fs.appendFile(path.join(dir, "README.md"), "\nour note\n");
    const inputs = await withFeature(dir);
    await expect(rerenderProject({ ...inputs, dryRun: true })).rejects.toThrow(/uncommitted/);
    const gitCalls: string[] = [];
    const dry = await rerenderProject(
      { ...inputs, dryRun: true, allowDirty: true },
      {
        exec: (file, args, options) => {
          gitCalls.push(`${file} ${args[0]}`);
          return execaGit(file, args, options);
        },
      },
    );
    expect(dry.changed.length).toBeGreaterThan(0);
    expect(gitCalls).toContain("git rev-parse");

    const before = await repoState(dir);
    const controller = new AbortController();
    controller.abort();
    const cancelled = rerenderProject({ ...inputs, allowDirty: true, signal: controller.signal });
    await expect(cancelled).rejects.toBeInstanceOf(CancelledError);
    expect(await repoState(dir)).toEqual(before);
  });

  it("edits a feature in structurally: the project's edits right beside it merge without a conflict", async () => {
    const dir = await currentProject();
    const schemaFile = path.join(dir, "src/churn_model/core/schemas.py");
    const registryFile = path.join(dir, "confs/features.yaml");
    const schema = await fs.readFile(schemaFile, "utf8");
    const registry = await fs.readFile(registryFile, "utf8");
    // The team's edits on the very lines a new feature goes after: the last schema field's
    // description, a field of their own after it, and the last registry entry's owner.
    const last = [...schema.matchAll(/description="([^"]*)",\n {4}\)\n/g)].at(-1);
    const entry = [...registry.matchAll(/^ {2}"\w+": \{owner: data-science,/gm)].at(-1);
    expect(last?.index).toBeDefined();
    expect(entry?.index).toBeDefined();
    const at = (last?.index ?? 0) + (last?.[0].length ?? 0);
    const edited =
      `${schema.slice(0, last?.index).replace(/\n$/, "")}\n        description="ours: reviewed",\n    )\n` +
      `    ours_only: Series[float] = pa.Field(ge=0.0, description="the team's own")\n` +
      schema.slice(at);
    await fs.writeFile(schemaFile, edited);
    const entryAt = entry?.index ?? 0;
    await fs.writeFile(
      registryFile,
      `${registry.slice(0, entryAt)}${registry.slice(entryAt).replace("owner: data-science,", "owner: risk-team,")}`,
    );
    await commitAll(dir, "our edits");

    const added = await rerenderProject(await withFeature(dir));
    expect(added.conflicts).toEqual([]);
    const after = await fs.readFile(schemaFile, "utf8");
    expect(after).toContain('description="ours: reviewed"');
    expect(after).toContain("ours_only: Series[float]");
    expect(after.match(/ {4}tenure_months: Series\[/g)).toHaveLength(1);
    expect(after).toMatch(/CALLER_OPTIONAL: Final\[tuple\[str, \.\.\.\]\] = \("tenure_months",\)/);
    const registryAfter = await fs.readFile(registryFile, "utf8");
    expect(registryAfter).toContain("owner: risk-team,");
    expect(registryAfter).toMatch(/^ {2}"tenure_months": \{owner: data-science,/m);
    await commitAll(dir, "add tenure_months");

    // And out again, the team's edits staying.
    const manifest = await readGeneratedManifest(dir);
    const removed = await rerenderProject({
      dir,
      manifest,
      profile: removeFeature(answersProfile(manifest.answers), tenure.name),
    });
    expect(removed.conflicts).toEqual([]);
    const final = await fs.readFile(schemaFile, "utf8");
    expect(final).not.toContain("tenure_months");
    expect(final).toContain("ours_only: Series[float]");
    expect(final).toContain('description="ours: reviewed"');
    expect(await fs.readFile(registryFile, "utf8")).toBe(
      `${registry.slice(0, entryAt)}${registry.slice(entryAt).replace("owner: data-science,", "owner: risk-team,")}`,
    );
  });
});
