import fs from "node:fs/promises";
import path from "node:path";
import { listTree, repoRoot, runCli, testdir } from "@ds-service/test-utils";
import { execa } from "execa";
import { describe, expect, it } from "vitest";

// Hostile names and targets through the built binary: each is refused with exit 2, a message
// naming the broken rule, and nothing written — neither in the cwd nor beside the target.
const dnsLabel = /not a Kubernetes DNS label/;
const hostileNames: ReadonlyArray<readonly [string, string, RegExp]> = [
  ["path traversal", "../../etc", dnsLabel],
  ["deep traversal", "../../../../../../tmp/pwn", dnsLabel],
  ["absolute path", "/etc/passwd", dnsLabel],
  ["separator", "a/b", dnsLabel],
  ["backslash", "a\\b", dnsLabel],
  ["windows drive", "C:\\x", dnsLabel],
  ["dot", ".", dnsLabel],
  ["dot-dot", "..", dnsLabel],
  ["hidden", ".ssh", dnsLabel],
  ["NUL", "a\u0000b", dnsLabel],
  ["newline", "a\nb", dnsLabel],
  ["tab", "a\tb", dnsLabel],
  ["escape sequence", "\u001b[31mred", dnsLabel],
  ["DEL", "a\u007fb", dnsLabel],
  ["command substitution", "$(reboot)", dnsLabel],
  ["backticks", "`id`", dnsLabel],
  ["semicolon", "a;rm -rf ~", dnsLabel],
  ["pipe", "a|b", dnsLabel],
  ["and", "a&&b", dnsLabel],
  ["space", "a b", dnsLabel],
  ["glob", "a*", dnsLabel],
  ["quote", "a'b", dnsLabel],
  ["double quote", 'a"b', dnsLabel],
  ["handlebars", "{{name}}", dnsLabel],
  ["handlebars block", "{{#each x}}", dnsLabel],
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal is the hostile input
  ["shell parameter", "${HOME}", dnsLabel],
  ["erb", "<%= x %>", dnsLabel],
  ["cyrillic look-alike", "сhurn", dnsLabel],
  ["fullwidth look-alike", "ｃhurn", dnsLabel],
  ["unicode hyphen", "churn\u2010model", dnsLabel],
  ["zero-width space", "churn\u200bmodel", dnsLabel],
  ["right-to-left override", "churn\u202emodel", dnsLabel],
  ["sharp s", "straße", dnsLabel],
  ["uppercase", "Churn", dnsLabel],
  ["underscore", "churn_model", dnsLabel],
  ["leading digit", "1churn", dnsLabel],
  ["leading dash", "-churn", dnsLabel],
  ["trailing dash", "churn-", dnsLabel],
  ["double dash", "churn--model", /contains "--"/],
  ["56 characters", "a".repeat(56), /at most 55\b.*"<name>-staging"/],
  ["10 000 characters", "a".repeat(10_000), /at most 55/],
  ["empty", "", /empty/],
  ["keyword class", "class", /Python keyword/],
  ["keyword import", "import", /Python keyword/],
  ["keyword async", "async", /Python keyword/],
  ["stdlib json", "json", /standard library module "json"/],
  ["stdlib email", "email", /standard library module "email"/],
  ["stdlib typing", "typing", /standard library module "typing"/],
  ["npm core module fs", "fs", /npm package name: fs is a core module name/],
  ["npm core module buffer", "buffer", /npm package name/],
  ["npm core module http", "http", /npm package name/],
  ["dependency numpy", "numpy", /shadow the "numpy" package/],
  ["dependency fastapi", "fastapi", /shadow the "fastapi" package/],
];

async function expectRefused(
  cwd: string,
  args: string[],
  rule: RegExp,
  before: readonly string[],
): Promise<void> {
  const r = await runCli(args, { cwd });
  expect(r.exitCode, r.stderr).toBe(2);
  expect(r.stderr).toMatch(rule);
  expect(r.stderr).not.toMatch(/please report/);
  expect(await listTree(cwd)).toEqual(before);
}

describe("hostile names (built bin)", () => {
  it.each(hostileNames)("refuses %s through --answers", async (_label, name, rule) => {
    const cwd = await testdir({ "answers.json": JSON.stringify({ name }) });
    const args = [
      "new",
      "target",
      "--answers",
      "answers.json",
      "--yes",
      "--no-install",
      "--no-git",
    ];
    await expectRefused(cwd, args, rule, ["answers.json"]);
  });

  it.each(hostileNames.filter(([, name]) => !name.includes("\u0000")))(
    "refuses %s through --name",
    async (_label, name, rule) => {
      const cwd = await testdir();
      const args = ["new", "target", "--name", name, "--yes", "--no-install", "--no-git"];
      await expectRefused(cwd, args, rule, []);
    },
  );

  it.each([
    ["a number", 42],
    ["null", null],
    ["an array", ["churn"]],
    ["an object", { toString: "churn" }],
  ])("refuses a name that is %s", async (_label, name) => {
    const cwd = await testdir({ "answers.json": JSON.stringify({ name }) });
    const args = [
      "new",
      "target",
      "--answers",
      "answers.json",
      "--yes",
      "--no-install",
      "--no-git",
    ];
    await expectRefused(cwd, args, /invalid answer — name/, ["answers.json"]);
  });

  it.each([
    ["task traversal", { name: "ok-name", task: "../classification" }, /task/],
    ["task injection", { name: "ok-name", task: "classification; rm -rf /" }, /task/],
    ["ci template syntax", { name: "ok-name", ci: "{{github}}" }, /ci/],
    ["prototype key", JSON.parse('{"__proto__": {"name": "x"}}'), /name/],
  ])("refuses the answers file with %s", async (_label, answers, rule) => {
    const cwd = await testdir({ "answers.json": JSON.stringify(answers) });
    const args = [
      "new",
      "target",
      "--answers",
      "answers.json",
      "--yes",
      "--no-install",
      "--no-git",
    ];
    await expectRefused(cwd, args, rule, ["answers.json"]);
  });
});

describe("hostile targets (built bin)", () => {
  const flags = ["--yes", "--no-install", "--no-git"];

  it("refuses a non-empty directory and a file where the directory should be", async () => {
    const cwd = await testdir({ "full/keep.txt": "mine", afile: "x" });
    const before = await listTree(cwd);
    await expectRefused(cwd, ["new", "full", ...flags], /not empty/, before);
    await expectRefused(
      cwd,
      ["new", "afile", "--name", "ok-name", ...flags],
      /not a directory/,
      before,
    );
  });

  it("refuses a file as a component of the parent path", async () => {
    const cwd = await testdir({ afile: "x" });
    await expectRefused(
      cwd,
      ["new", "afile/proj", "--name", "ok-name", ...flags],
      /a component of its parent path is a file/,
      ["afile"],
    );
    expect(await fs.readFile(path.join(cwd, "afile"), "utf8")).toBe("x");
  });

  // Tests run as root, so chmod cannot make a parent read-only; /proc and /sys refuse even root.
  it.each([
    ["/proc (no new entries)", "/proc/ds-service-hostile-target"],
    ["/sys (EPERM)", "/sys/ds-service-hostile-target"],
    ["a path under a /proc file", "/proc/version/ds-service-hostile-target"],
  ])("refuses an unwritable parent: %s", async (_label, target) => {
    const cwd = await testdir();
    const r = await runCli(["new", target, "--name", "ok-name", ...flags], { cwd });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/not a writable directory|not a possible directory/);
    expect(r.stderr).not.toMatch(/please report/);
    expect(await listTree(cwd)).toEqual([]);
  });

  it("refuses a target inside another generated project, leaving it as it was", async () => {
    const cwd = await testdir();
    expect((await runCli(["new", "outer", ...flags], { cwd })).exitCode).toBe(0);
    const before = await listTree(cwd);
    await expectRefused(
      cwd,
      ["new", "outer/src/inner", ...flags],
      /inside the ds-service project/,
      before,
    );
    await expectRefused(
      cwd,
      ["new", "inner", "--cwd", "outer/tests", ...flags],
      /inside the ds-service project/,
      before,
    );
  });

  // Inside the monorepo is allowed where the repo ignores it (quickstart scaffolds demo/): the
  // project is complete, and the monorepo's own tracked and untracked state does not change.
  it("generates inside the monorepo's git-ignored demo/ without touching the monorepo", async () => {
    const status = async () =>
      (await execa("git", ["status", "--porcelain", "--untracked-files=all"], { cwd: repoRoot }))
        .stdout;
    const before = await status();
    const demo = path.join(repoRoot, "demo");
    const target = path.join(demo, `hostile-${process.pid}`);
    const demoExisted = await fs.stat(demo).then(
      () => true,
      () => false,
    );
    try {
      const r = await runCli(["new", target, "--name", "inside-repo", ...flags]);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(await listTree(target)).toContain(".ds-service/manifest.json");
      expect((await fs.readdir(demo)).filter((e) => e.includes(".ds-service-"))).toEqual([]);
      expect(await status()).toBe(before);
    } finally {
      await fs.rm(demoExisted ? target : demo, { recursive: true, force: true });
    }
  });
});
