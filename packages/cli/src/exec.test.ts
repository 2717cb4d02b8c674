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

  it("feeds input to stdin and gives stdout byte for byte, apart from stderr", async () => {
    const bytes = Buffer.from([0, 255, 10, 13, 10]); // binary, ending in newlines
    const r = await execaExec("sh", ["-c", "cat; echo warn >&2"], {
      cwd: process.cwd(),
      input: bytes,
    });
    expect(r.exitCode).toBe(0);
    expect(Buffer.from(r.stdout ?? [])).toEqual(bytes);
    expect(r.stderr).toBe("warn");
    expect(r.output).toContain("warn");
  });

  it("a failing tool is a StepError carrying its output", async () => {
    const run = mustRun(execaExec, "sh", ["-c", "echo broken >&2; exit 4"], { cwd: process.cwd() });
    await expect(run).rejects.toBeInstanceOf(StepError);
    await expect(run).rejects.toThrow(/failed \(exit 4\):\nbroken/);
  });

  it("passes the tool's output on as it comes (stdout and stderr), and still returns all of it", async () => {
    const chunks: { text: string; at: number }[] = [];
    const r = await execaExec(
      "sh",
      ["-c", "echo Resolved 3 packages >&2; sleep 1; echo Installed 3"],
      {
        cwd: process.cwd(),
        onOutput: (text) => void chunks.push({ text, at: performance.now() }),
      },
    );
    const finished = performance.now();
    expect(chunks.map((c) => c.text).join("")).toBe("Resolved 3 packages\nInstalled 3\n");
    // The first line arrived while the tool still ran (it sleeps a second after it), not at exit.
    expect(finished - (chunks[0]?.at ?? finished)).toBeGreaterThan(500);
    expect(r.output).toBe("Resolved 3 packages\nInstalled 3");
  });
});
