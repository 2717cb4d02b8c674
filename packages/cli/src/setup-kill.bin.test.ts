import fs from "node:fs/promises";
import path from "node:path";
import { cliBin, listTree, runCli, testdir } from "@ds-service/test-utils";
import { execa } from "execa";
import { describe, expect, it } from "vitest";

// A real `ds-service new` SIGKILLed (no handler runs) while uv installs the project: the files
// are all there, the install and the first commit are not. The same command run again must
// start over rather than refuse a "not empty" target — and must never remove a change the user
// made to that project in between.

/** A `uv` that writes a lockfile, records its pid and hangs: the install the kill lands in. */
const hangingUv = `#!/bin/sh
if [ "$1" = "--version" ]; then echo "uv 0.0.0 (stand-in)"; exit 0; fi
echo $$ > "$UV_PID_FILE"
echo "# lock" > uv.lock
exec sleep 120
`;

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then(
    () => true,
    () => false,
  );
}

/** Starts `new proj` with the hanging uv, waits until it is inside uv, and SIGKILLs both. */
async function killDuringInstall(cwd: string): Promise<string> {
  const bin = path.join(cwd, "bin");
  await fs.mkdir(bin);
  await fs.writeFile(path.join(bin, "uv"), hangingUv, { mode: 0o755 });
  const pidFile = path.join(cwd, "uv.pid");
  const child = execa(process.execPath, [cliBin, "new", "proj", "--yes", "--no-git"], {
    cwd,
    env: { NO_COLOR: "1", CI: "1", PATH: `${bin}:${process.env.PATH}`, UV_PID_FILE: pidFile },
    reject: false,
    stdin: "ignore",
  });
  for (let waited = 0; waited < 60_000 && !(await exists(pidFile)); waited += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill("SIGKILL");
  const ended = await child;
  expect(ended.signal).toBe("SIGKILL");
  const uvPid = Number(await fs.readFile(pidFile, "utf8"));
  process.kill(uvPid, "SIGKILL");
  await fs.rm(pidFile);
  const project = path.join(cwd, "proj");
  expect(await exists(path.join(project, "uv.lock"))).toBe(true);
  return project;
}

const again = (cwd: string) =>
  runCli(["new", "proj", "--yes", "--no-install", "--no-git"], { cwd, env: { CI: "1" } });

describe("new killed during its set-up (built bin)", () => {
  it("is started over by the same command, leaving exactly a new project", async () => {
    const reference = await testdir();
    expect((await again(reference)).exitCode).toBe(0);
    const cwd = await testdir();
    const project = await killDuringInstall(cwd);

    const retried = await again(cwd);
    expect(retried.exitCode, retried.stderr).toBe(0);
    expect(retried.stderr).toMatch(/set-up was interrupted: removed it, starting again/);
    expect(await listTree(project)).toEqual(await listTree(path.join(reference, "proj")));
    expect(await exists(path.join(project, "uv.lock"))).toBe(false);
  }, 120_000);

  it("refuses, removing nothing, when the user changed the project since", async () => {
    const cwd = await testdir();
    const project = await killDuringInstall(cwd);
    await fs.appendFile(path.join(project, "README.md"), "\nmy notes\n");
    await fs.writeFile(path.join(project, "notes.txt"), "mine\n");
    const tree = await listTree(project);

    const retried = await again(cwd);
    expect(retried.exitCode).toBe(2);
    expect(retried.stderr).toMatch(/set-up was interrupted, with changes made since/);
    expect(retried.stderr).toMatch(/README\.md, notes\.txt/);
    expect(retried.stderr).toMatch(
      /finish its set-up in it \(make setup && make contract-release && make budgets-record, then commit\)/,
    );
    expect(await listTree(project)).toEqual(tree);
    expect(await fs.readFile(path.join(project, "README.md"), "utf8")).toMatch(/my notes\n$/);
  }, 120_000);
});
