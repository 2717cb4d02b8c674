import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { testdir } from "@ds-service/test-utils";
import { describe, expect, it } from "vitest";
import { BusyError } from "../errors.js";
import { withRepoLock } from "./lock.js";

/** A real other process, alive until killed; its pid is what a lock file records. */
function otherProcess() {
  const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60_000)"], {
    stdio: "ignore",
  });
  return child;
}

/** The pid of a process that was just killed (SIGKILL: it left whatever it held). */
async function deadPid(): Promise<number> {
  const child = otherProcess();
  const exited = new Promise((resolve) => child.on("exit", resolve));
  child.kill("SIGKILL");
  await exited;
  return child.pid ?? 0;
}

async function writeLock(stateDir: string, pid: number, host = os.hostname()) {
  await fs.mkdir(stateDir, { recursive: true });
  const owner = { pid, host, token: "t", command: "upgrade", since: "2026-12-02T00:00:00Z" };
  await fs.writeFile(path.join(stateDir, "lock"), JSON.stringify(owner));
}

describe("withRepoLock", () => {
  it("lets one of two concurrent commands in, and refuses the other with a BusyError (exit 75)", async () => {
    const stateDir = path.join(await testdir(), "ds-service");
    let release: () => void = () => undefined;
    const holding = new Promise<void>((resolve) => {
      release = resolve;
    });
    const ran: string[] = [];
    const first = withRepoLock(stateDir, "upgrade", async () => {
      ran.push("first");
      await holding;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await withRepoLock(stateDir, "add feature", async () => {
      ran.push("second");
    }).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(BusyError);
    expect((second as BusyError).exitCode).toBe(75);
    expect((second as Error).message).toMatch(
      /`ds-service upgrade` \(pid \d+.*nothing was written/,
    );
    release();
    await first;
    expect(ran).toEqual(["first"]);
    // Released: the next command gets in, and no lock or empty state directory is left.
    await withRepoLock(stateDir, "check", async () => undefined);
    await expect(fs.access(stateDir)).rejects.toThrow(/ENOENT/);
  });

  it("is busy while another live process holds it", async () => {
    const stateDir = path.join(await testdir(), "ds-service");
    const child = otherProcess();
    try {
      await writeLock(stateDir, child.pid ?? 0);
      await expect(withRepoLock(stateDir, "upgrade", async () => undefined)).rejects.toThrow(
        new RegExp(`pid ${child.pid}`),
      );
      expect(JSON.parse(await fs.readFile(path.join(stateDir, "lock"), "utf8")).pid).toBe(
        child.pid,
      );
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("takes over at once a lock whose process was killed", async () => {
    const stateDir = path.join(await testdir(), "ds-service");
    await writeLock(stateDir, await deadPid());
    expect(await withRepoLock(stateDir, "check", async () => "ran")).toBe("ran");
  });

  it("takes over a lock of this process that no one holds (a failed release)", async () => {
    const stateDir = path.join(await testdir(), "ds-service");
    await writeLock(stateDir, process.pid);
    expect(await withRepoLock(stateDir, "check", async () => "ran")).toBe("ran");
  });

  it("treats a lock from another host as held: it cannot tell whether that one runs", async () => {
    const stateDir = path.join(await testdir(), "ds-service");
    await writeLock(stateDir, 1, "another-host.invalid");
    await expect(withRepoLock(stateDir, "upgrade", async () => undefined)).rejects.toBeInstanceOf(
      BusyError,
    );
  });

  it("sweeps the side files of a process killed while taking the lock", async () => {
    const stateDir = path.join(await testdir(), "ds-service");
    await writeLock(stateDir, await deadPid());
    await fs.rename(path.join(stateDir, "lock"), path.join(stateDir, "lock.dead"));
    await withRepoLock(stateDir, "check", async () => {
      expect(await fs.readdir(stateDir)).toEqual(["lock"]);
    });
    await expect(fs.access(stateDir)).rejects.toThrow(/ENOENT/);
  });
});
