import { CancelledError, StepError } from "@ds-service/generator";
import { describe, expect, it } from "vitest";
import { execaExec, mustRun } from "./exec.js";

describe("execaExec", () => {
  it("a tool stopped by Ctrl-C (SIGINT to the group) is a cancel, not a failure with no output", async () => {
    const run = execaExec("sh", ["-c", "kill -INT $$"], { cwd: process.cwd() });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    await expect(run).rejects.toThrow(/`sh -c kill -INT \$\$` was interrupted/);
  });

  it("aborting the signal stops the tool at once", async () => {
    const controller = new AbortController();
    const started = performance.now();
    const run = execaExec("sleep", ["30"], { cwd: process.cwd(), signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it("a failing tool is a StepError carrying its output", async () => {
    const run = mustRun(execaExec, "sh", ["-c", "echo broken >&2; exit 4"], { cwd: process.cwd() });
    await expect(run).rejects.toBeInstanceOf(StepError);
    await expect(run).rejects.toThrow(/failed \(exit 4\):\nbroken/);
  });
});
