import fs from "node:fs/promises";
import path from "node:path";
import { repoRoot, runCli, testdir } from "@ds-service/test-utils";
import { execa } from "execa";
import { describe, expect, it } from "vitest";

// A broken project gets exit 2 and a message that says what is wrong — from `upgrade` and
// `check` alike — and nothing is written.
const fixture = path.join(repoRoot, "scripts/e2e/fixtures/template-0.1.0/churn-model");
const manifest = ".ds-service/manifest.json";
const git = (cwd: string, ...args: string[]) =>
  execa("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd });

const setVersion = (version: string) => async (dir: string) => {
  const file = path.join(dir, manifest);
  const text = await fs.readFile(file, "utf8");
  await fs.writeFile(
    file,
    text.replace(
      '"@ds-service/template-service": "0.1.0"',
      `"@ds-service/template-service": "${version}"`,
    ),
  );
};
const setManifest = (text: string) => (dir: string) => fs.writeFile(path.join(dir, manifest), text);

const cases: ReadonlyArray<readonly [string, (dir: string) => Promise<void>, RegExp]> = [
  ["manifest is not JSON", setManifest("{nope"), /not valid JSON/],
  ["manifest is empty", setManifest(""), /not valid JSON/],
  ["manifest is JSON null", setManifest("null"), /corrupt/],
  ["manifest lacks files", setManifest('{"schemaVersion":1,"packages":{}}'), /corrupt/],
  [
    "manifest is a directory",
    async (dir) => {
      await fs.rm(path.join(dir, manifest));
      await fs.mkdir(path.join(dir, manifest));
      await fs.writeFile(path.join(dir, manifest, "x"), "");
    },
    /corrupt: it is a directory/,
  ],
  [
    "manifest is missing",
    (dir) => fs.rm(path.join(dir, manifest)),
    /has no \.ds-service\/manifest\.json/,
  ],
  [
    "template version never released",
    setVersion("0.1.5"),
    /template 0\.1\.5, which was never released/,
  ],
  ["template version a pre-release", setVersion("0.1.0-rc.1"), /never released/],
  [
    "template version not semver",
    setVersion("latest; rm -rf /"),
    /no valid @ds-service\/template-service version/,
  ],
  ["template newer than ds-service", setVersion("9.0.0"), /newer than this ds-service/],
];

describe("broken projects (built bin)", () => {
  it.each(cases)(
    "%s: upgrade and check exit 2, nothing written",
    async (_label, breakIt, message) => {
      const dir = path.join(await testdir(), "p");
      await fs.cp(fixture, dir, { recursive: true });
      await git(dir, "init", "-q", "-b", "main");
      await breakIt(dir);
      await git(dir, "add", "-A");
      await git(dir, "commit", "-qm", "broken");
      for (const command of ["upgrade", "check"]) {
        const r = await runCli([command, "--cwd", dir]);
        expect(r.exitCode, `${command}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toMatch(message);
        expect(r.stderr).not.toMatch(/please report/);
        expect((await git(dir, "status", "--porcelain")).stdout, command).toBe("");
      }
    },
  );

  it("a directory that is not a git repository: upgrade exits 2", async () => {
    const dir = path.join(await testdir(), "p");
    await fs.cp(fixture, dir, { recursive: true });
    const r = await runCli(["upgrade", "--cwd", dir]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/is not a git repository/);
  });
});
