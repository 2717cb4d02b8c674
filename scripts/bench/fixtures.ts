import fs from "node:fs/promises";
import { execa } from "execa";

/** A copy of the committed template-0.1.0 project as a user's git repository, ready to upgrade. */
export async function oldProjectRepo(fixture: string, dir: string): Promise<void> {
  await fs.cp(fixture, dir, { recursive: true });
  const git = (...args: string[]) =>
    execa("git", ["-c", "user.name=b", "-c", "user.email=b@example.com", ...args], { cwd: dir });
  await git("init", "-q", "-b", "main");
  await git("add", "-A");
  await git("commit", "-qm", "scaffold");
  await git("update-ref", "refs/ds-service/base", "HEAD");
}
