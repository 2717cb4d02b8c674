import fs from "node:fs/promises";
import path from "node:path";
import { testdir } from "@ds-service/test-utils";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.js";
import { parseAnswers } from "../generate.js";
import { readGeneratedManifest, readManifest, readManifestIfAny } from "./read.js";
import { type Manifest, manifestPath } from "./schema.js";
import { serializeManifest } from "./write.js";

const hash = "a".repeat(64);
const files = { "README.md": { ownership: "merged", sha256: hash } };
const generator = { name: "@ds-service/generator", version: "0.2.0" };
const answers = parseAnswers({ name: "churn-model" });
const commands = { uv: true, pythonVersion: "3.12", setup: "uv sync", check: "make check" };

/** A repository holding `manifest` (JSON, or raw text) and `extra` files. */
async function repoWith(manifest: unknown, extra: Record<string, string> = {}) {
  const text = typeof manifest === "string" ? manifest : JSON.stringify(manifest);
  return testdir({ [manifestPath]: text, ...extra });
}

const v1Generated = {
  schemaVersion: 1,
  generator,
  packages: { "@ds-service/template-service": "0.1.0" },
  answers,
  files,
};
const v1Ci = {
  schemaVersion: 1,
  generator,
  packages: { "@ds-service/config-ci": "0.1.0" },
  ci: { provider: "github", ...commands },
  files,
};
const v1Adopted = {
  ...v1Ci,
  packages: { "@ds-service/config-ci": "0.1.0", "@ds-service/config-python": "0.1.0" },
};

async function readError(dir: string): Promise<ValidationError> {
  const error = await readManifest(dir).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

describe("migrating a version 1 manifest", () => {
  it("with answers → generated, and the next write is version 2", async () => {
    const manifest = await readManifest(await repoWith(v1Generated));
    expect(manifest).toEqual({ ...v1Generated, schemaVersion: 2, origin: "generated" });
    const written = JSON.parse(serializeManifest(manifest).toString("utf8"));
    expect(Object.keys(written)).toEqual([
      "schemaVersion",
      "origin",
      "generator",
      "packages",
      "answers",
      "files",
    ]);
    expect(await readManifest(await repoWith(written))).toEqual(manifest);
  });

  it("from add ci → ci, with the Dockerfile and image job read from the repository", async () => {
    const plain = await readManifest(await repoWith(v1Ci));
    expect(plain).toMatchObject({ origin: "ci", ci: { dockerfile: false, imageJob: false } });
    const makefile = "lint-docker:\n\thadolint Dockerfile\nverify-base-images:\n\ttrue\n";
    const docker = await repoWith(v1Ci, { Dockerfile: "FROM python\n", Makefile: makefile });
    expect(await readManifest(docker)).toMatchObject({
      origin: "ci",
      ci: { ...commands, provider: "github", dockerfile: true, imageJob: true },
    });
    // A Dockerfile without the deploy pack's targets gets dependabot's docker entry, no image job.
    const dockerOnly = await repoWith(v1Ci, { Dockerfile: "FROM python\n" });
    expect(await readManifest(dockerOnly)).toMatchObject({
      ci: { dockerfile: true, imageJob: false },
    });
  });

  it("from adopt (config-python recorded) → adopted", async () => {
    const manifest = await readManifest(await repoWith(v1Adopted));
    expect(manifest.origin).toBe("adopted");
    expect(manifest.packages).toEqual(v1Adopted.packages);
  });

  it("a generated one that add ci also wrote to stays generated, without the ci block", async () => {
    const manifest = await readManifest(await repoWith({ ...v1Generated, ci: v1Ci.ci }));
    expect(manifest.origin).toBe("generated");
    expect(manifest).not.toHaveProperty("ci");
  });

  it("refuses one with neither answers nor a ci block, naming the file and field", async () => {
    const dir = await repoWith({ ...v1Ci, ci: undefined });
    const error = await readError(dir);
    expect(error.message).toContain(path.join(dir, manifestPath));
    expect(error.message).toContain("corrupt: answers:");
    expect(error.exitCode).toBe(2);
  });
});

describe("reading a manifest", () => {
  it("names the file and the field that is wrong", async () => {
    const bad = { ...v1Generated, schemaVersion: 2, origin: "generated" };
    bad.files = { "README.md": { ownership: "merged", sha256: "nope" } };
    const dir = await repoWith(bad);
    expect((await readError(dir)).message).toMatch(
      new RegExp(`${path.join(dir, manifestPath)} is corrupt: files\\.README\\.md\\.sha256:`),
    );
  });

  it("refuses a version 2 adopt manifest without the ci facts it re-renders from", async () => {
    const { dockerfile: _d, ...ci } = { ...v1Ci.ci, dockerfile: false };
    const dir = await repoWith({ ...v1Adopted, schemaVersion: 2, origin: "adopted", ci });
    expect((await readError(dir)).message).toContain("corrupt: ci.dockerfile:");
  });

  it("refuses an unknown origin, a generated one without answers, and both answers and ci", async () => {
    const base = { ...v1Generated, schemaVersion: 2 };
    expect((await readError(await repoWith({ ...base, origin: "cloned" }))).message).toContain(
      "corrupt: origin:",
    );
    const { answers: _a, ...noAnswers } = base;
    expect(
      (await readError(await repoWith({ ...noAnswers, origin: "generated" }))).message,
    ).toContain("corrupt: answers:");
    const both = { ...base, origin: "generated", ci: { ...v1Ci.ci, dockerfile: false } };
    expect((await readError(await repoWith(both))).message).toMatch(/corrupt: .*ci/);
  });

  it("refuses invalid JSON, a newer version, and a directory in its place", async () => {
    expect((await readError(await repoWith("{"))).message).toContain("is not valid JSON");
    expect(
      (await readError(await repoWith({ ...v1Generated, schemaVersion: 3 }))).message,
    ).toContain(
      "is corrupt or newer than this ds-service: schemaVersion 3 (this one reads 1 to 2)",
    );
    const dir = await testdir();
    await fs.mkdir(path.join(dir, manifestPath), { recursive: true });
    expect((await readError(dir)).message).toContain("is a directory");
  });

  it("tells a missing manifest (undefined, or exit 2 where one is needed)", async () => {
    const dir = await testdir();
    expect(await readManifestIfAny(dir)).toBeUndefined();
    expect((await readError(dir)).message).toContain("has no .ds-service/manifest.json");
  });

  it("readGeneratedManifest refuses a repository add ci or adopt wrote", async () => {
    const error = await readGeneratedManifest(await repoWith(v1Ci)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain("added CI to, not one it generated");
  });

  it("serializes the same manifest to the same bytes, whatever the key order", async () => {
    const manifest: Manifest = {
      files: { "b.txt": files["README.md"], "a.txt": files["README.md"] },
      ci: { ...commands, imageJob: false, dockerfile: false, provider: "gitlab" },
      packages: v1Ci.packages,
      generator,
      origin: "ci",
      schemaVersion: 2,
    } as Manifest;
    const text = serializeManifest(manifest).toString("utf8");
    expect(text.endsWith("}\n")).toBe(true);
    const reread = await readManifest(await repoWith(text));
    expect(serializeManifest(reread).toString("utf8")).toBe(text);
    expect(Object.keys(JSON.parse(text).files)).toEqual(["a.txt", "b.txt"]);
    expect(Object.keys(JSON.parse(text).ci)).toEqual([
      "provider",
      "uv",
      "pythonVersion",
      "setup",
      "check",
      "dockerfile",
      "imageJob",
    ]);
  });
});
