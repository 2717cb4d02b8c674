import fs from "node:fs/promises";
import path from "node:path";
import { listTree, runCli, testdir } from "@ds-service/test-utils";
import { execa } from "execa";
import { describe, expect, it } from "vitest";

// `new --data` through the built binary, with the real profiler (uv + pandas): bad data is
// refused with exit 2 and a sentence naming the column and the reason, and nothing is written.
const header = "id,colour,size,label";
const rows = (n: number, row: (i: number) => string) =>
  [header, ...Array.from({ length: n }, (_, i) => row(i))].join("\n");
const good = rows(
  30,
  (i) => `r${i},${["red", "blue"][i % 2]},${i % 7 === 0 ? "" : 10 + i},${"abc"[i % 3]}`,
);

const refusals: ReadonlyArray<readonly [string, string, string[], RegExp]> = [
  ["a missing target column", good, ["--target", "nope"], /no column 'nope'/],
  ["a constant target", rows(20, (i) => `r${i},red,${i},same`), ["--target", "label"], /constant/],
  ["a one-class binary task", good, ["--target", "label", "--task", "binary"], /exactly 2 classes/],
  [
    "an all-null column",
    rows(20, (i) => `r${i},red,,${"ab"[i % 2]}`),
    ["--target", "label"],
    /'size' is empty/,
  ],
  [
    "an id with duplicates",
    rows(20, (i) => `r1,red,${i},${"ab"[i % 2]}`),
    ["--target", "label", "--id", "id"],
    /duplicate/,
  ],
  [
    "a protected column that is not a feature",
    good,
    ["--target", "label", "--protected", "label"],
    /must be a feature/,
  ],
  [
    "--unseen-other on a numeric feature",
    good,
    ["--target", "label", "--unseen-other", "size"],
    /--unseen-other size: not a categorical feature \(id, colour\)\n?$/,
  ],
  [
    "a file that is not a table",
    "\u0000\u0001PK\u0003binary",
    ["--target", "label"],
    /cannot be read|holds no rows|no column/,
  ],
];

describe("new --data (built bin, real profiler)", () => {
  it.each(refusals)("refuses %s, writing nothing", async (_label, csv, args, reason) => {
    const cwd = await testdir({ "data.csv": csv });
    const r = await runCli(
      ["new", "target", "--yes", "--no-install", "--no-git", "--data", "data.csv", ...args],
      { cwd },
    );
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(reason);
    expect(r.stderr).not.toMatch(/please report/);
    expect(await listTree(cwd)).toEqual(["data.csv"]);
  });

  it("refuses a missing file and companions without --data", async () => {
    const cwd = await testdir();
    const missing = await runCli(
      ["new", "t", "--yes", "--no-install", "--data", "no.csv", "--target", "y"],
      { cwd },
    );
    expect([missing.exitCode, missing.stderr]).toEqual([2, expect.stringMatching(/no such file/)]);
    const stray = await runCli(["new", "t", "--yes", "--no-install", "--target", "y"], { cwd });
    expect([stray.exitCode, stray.stderr]).toEqual([
      2,
      expect.stringMatching(/--target needs --data/),
    ]);
    expect(await listTree(cwd)).toEqual([]);
  });

  it("profiles the file into the answers, the manifest and the schema; never copies the data", async () => {
    const cwd = await testdir({ "data/train.csv": good });
    const r = await runCli(
      [
        "new",
        "proj",
        "--yes",
        "--no-install",
        "--no-git",
        "--data",
        "data/train.csv",
        "--target",
        "label",
        "--id",
        "id",
      ],
      { cwd },
    );
    expect(r.exitCode, r.stderr).toBe(0);
    const read = (rel: string) => fs.readFile(path.join(cwd, "proj", rel), "utf8");
    const manifest = JSON.parse(await read(".ds-service/manifest.json"));
    expect(manifest.answers.task).toBe("multiclass");
    expect(manifest.answers.dataset.features.map((f: { name: string }) => f.name)).toEqual([
      "colour",
      "size",
    ]);
    expect(await read("confs/data.yaml")).toContain('source: "../data/train.csv"');
    const schema = await read("src/proj/core/schemas.py");
    expect(schema).toContain('colour: Series[str] = pa.Field(\n        isin=["blue", "red"]');
    expect(schema).toMatch(/size: Series\[float\] = pa\.Field\([^)]*nullable=True/);
    const files = await listTree(path.join(cwd, "proj"));
    expect(files.filter((f) => f.endsWith(".csv"))).toEqual([]);
  });

  it("data refresh shows the schema changes, keeps the project's edits, and dry-runs", async () => {
    const first = rows(30, (i) => `r${i},${["red", "blue"][i % 2]},${10 + i},${"abc"[i % 3]}`);
    const cwd = await testdir({ "old.csv": first, "new.csv": good.replace("r3,blue", "r3,green") });
    const created = await runCli(
      [
        "new",
        "proj",
        "--yes",
        "--no-install",
        "--data",
        "old.csv",
        "--target",
        "label",
        "--unseen-other",
        "colour",
      ],
      { cwd },
    );
    expect(created.exitCode, created.stderr).toBe(0);
    const project = path.join(cwd, "proj");
    const features = path.join(project, "src/proj/core/features.py");
    await fs.appendFile(features, "# a team's own note\n");
    const git = (...args: string[]) =>
      execa("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: project });
    await git("commit", "-qam", "our edit");

    const dry = await runCli(["data", "refresh", "--data", "../new.csv", "--dry-run"], {
      cwd: project,
    });
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/new-categories\s+colour: green/);
    expect(dry.stdout).toMatch(/new-nulls\s+size/);
    expect((await git("status", "--porcelain")).stdout).toBe("");

    const applied = await runCli(["data", "refresh", "--data", "../new.csv", "--no-tune"], {
      cwd: project,
    });
    expect(applied.exitCode, applied.stderr).toBe(0);
    const schema = await fs.readFile(path.join(project, "src/proj/core/schemas.py"), "utf8");
    expect(schema).toContain('isin=["blue", "green", "red"]');
    expect(schema).toMatch(/size: Series\[float\] = pa\.Field\([^)]*nullable=True/);
    expect(schema).toContain('UNSEEN_AS_OTHER: Final[tuple[str, ...]] = ("colour",)');
    expect(await fs.readFile(features, "utf8")).toContain("# a team's own note");
    expect(await fs.readFile(path.join(project, "confs/data.yaml"), "utf8")).toContain(
      '"../new.csv"',
    );
    const check = await runCli(["check"], { cwd: project });
    expect(check.exitCode, check.stdout + check.stderr).toBe(0);

    const refuse = await runCli(
      [
        "data",
        "refresh",
        "--data",
        "../new.csv",
        "--unseen-other",
        "",
        "--dry-run",
        "--allow-dirty",
      ],
      { cwd: project },
    );
    expect(refuse.exitCode, refuse.stderr).toBe(0);
    expect(refuse.stdout).toMatch(/unseen-changed\s+colour: unseen categories: other → refuse/);
    expect(refuse.stdout).toContain('-UNSEEN_AS_OTHER: Final[tuple[str, ...]] = ("colour",)');
  });

  it("data refresh refuses a demo project", async () => {
    const cwd = await testdir();
    expect((await runCli(["new", "demo", "--yes", "--no-install"], { cwd })).exitCode).toBe(0);
    const r = await runCli(["data", "refresh", "--data", "x.csv"], { cwd: path.join(cwd, "demo") });
    expect([r.exitCode, r.stderr]).toEqual([2, expect.stringMatching(/demo data/)]);
  });
});
