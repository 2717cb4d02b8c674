import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { lockSeed } from "@ds-service/template-service";
import { describe, expect, it } from "vitest";
import { normalizeName } from "../existing/requirement.js";
import { seededLock, writeSeededLock } from "./lock-seed.js";

const lock = (...blocks: string[]) =>
  `version = 1\nrequires-python = ">=3.11"\n${blocks.map((b) => `\n[[package]]\n${b}`).join("")}`;
const pkg = (name: string, extra = 'source = { registry = "https://pypi.org/simple" }') =>
  `name = "${name}"\nversion = "1.0"\n${extra}\n`;
const project = (name: string) => pkg(name, 'source = { editable = "." }');
const names = (text: string) => [...text.matchAll(/^name = "([^"]+)"$/gm)].map((m) => m[1]);

describe("seededLock", () => {
  const seed = lock(
    pkg("alembic"),
    pkg("fastapi"),
    project("lock-seed"),
    pkg("mlflow"),
    pkg("zipp"),
  );

  it("renames the project and moves it to its place in uv's order, every other byte kept", () => {
    const made = seededLock(seed, "Churn_Model");
    expect(names(made ?? "")).toEqual(["alembic", "churn-model", "fastapi", "mlflow", "zipp"]);
    expect(made).toBe(
      lock(pkg("alembic"), project("churn-model"), pkg("fastapi"), pkg("mlflow"), pkg("zipp")),
    );
  });

  it("keeps a package's several versions in the seed's order", () => {
    const twice = lock(pkg("numpy", "v = 1"), pkg("numpy", "v = 2"), project("lock-seed"));
    expect(seededLock(twice, "a")).toBe(
      lock(project("a"), pkg("numpy", "v = 1"), pkg("numpy", "v = 2")),
    );
  });

  it("refuses a seed without exactly one project entry", () => {
    expect(seededLock(lock(pkg("a"), pkg("b")), "x")).toBeUndefined();
    expect(seededLock(lock(project("a"), project("b")), "x")).toBeUndefined();
  });

  it("gives the shipped seed back unchanged under its own name, and reorders it losslessly", async () => {
    expect(lockSeed).toBeDefined();
    const shipped = await fs.readFile(lockSeed as URL, "utf8");
    const seedName =
      /\[\[package\]\]\nname = "([^"]+)"\nversion = "[^"]+"\nsource = \{ editable = "\." \}/.exec(
        shipped,
      )?.[1];
    expect(seedName).toBeDefined();
    expect(seededLock(shipped, seedName ?? "")).toBe(shipped);
    const first = seededLock(shipped, "aaa") ?? "";
    expect(names(first)[0]).toBe("aaa");
    expect(first.length).toBe(shipped.length + "aaa".length - (seedName ?? "").length);
    expect(names(first).slice(1)).toEqual(names(shipped).filter((n) => n !== seedName));
  });
});

describe("writeSeededLock", () => {
  it("writes the project's lock from the seed, and never over a lock it already has", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "lock-seed-"));
    const seedFile = path.join(dir, "seed.lock");
    await fs.writeFile(seedFile, lock(project("lock-seed")));
    const project_ = path.join(dir, "project");
    await fs.mkdir(project_);
    expect(await writeSeededLock(project_, "m", pathToFileURL(seedFile))).toBe(true);
    expect(await fs.readFile(path.join(project_, "uv.lock"), "utf8")).toBe(lock(project("m")));
    await fs.writeFile(path.join(project_, "uv.lock"), "theirs");
    expect(await writeSeededLock(project_, "m", pathToFileURL(seedFile))).toBe(false);
    expect(await fs.readFile(path.join(project_, "uv.lock"), "utf8")).toBe("theirs");
    await fs.rm(path.join(project_, "uv.lock"));
    expect(await writeSeededLock(project_, "m", undefined)).toBe(false);
    expect(await writeSeededLock(project_, "m", pathToFileURL(path.join(dir, "none")))).toBe(false);
    await fs.rm(dir, { recursive: true });
  });

  it("normalizes names as uv lists them", () => {
    expect(normalizeName("Churn__Model.v2")).toBe("churn-model-v2");
  });
});
