import fs from "node:fs/promises";
import path from "node:path";
import { repoRoot, runCli, testdir } from "@ds-service/test-utils";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { renderedDom } from "./browser.js";
import { expectDrawn } from "./chromium.js";

// A capture of a blank 1280 × 900 page is a few KB; the fleet table drawn is several times that.
const FLEET_PAGE_BYTES = 20_000;
const fixture = path.join(repoRoot, "scripts/e2e/fixtures/template-0.1.0/churn-model");

describe("fleet", () => {
  it("upgrades a fleet on branches and reports it as a page Chromium renders", async () => {
    const root = await testdir();
    const repos: string[] = [];
    for (const name of ["risk-model", "churn-model", "fraud-model"]) {
      const dir = path.join(root, name);
      await fs.cp(fixture, dir, { recursive: true });
      const git = (...args: string[]) =>
        execa("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
          cwd: dir,
        });
      await git("init", "-q", "-b", "main");
      await git("add", "-A");
      await git("commit", "-qm", "scaffold");
      await git("update-ref", "refs/ds-service/base", "HEAD");
      repos.push(dir);
    }
    await fs.appendFile(path.join(repos[2] ?? "", ".editorconfig"), "# drifted\n");
    const list = path.join(root, "fleet.txt");
    await fs.writeFile(list, `# our model repositories\n${repos.slice(0, 2).join("\n")}\n`);

    const up = await runCli(["fleet", "upgrade", "--from-file", list]);
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/2 repositories in [\d.]+ s: 2 upgraded, 0 already current/);

    const page = path.join(root, "fleet.html");
    const report = await runCli(["fleet", "report", ...repos, "--html", page]);
    // One drifted repository is a finding: a scheduled fleet report fails for a person to look.
    expect(report.exitCode, report.stderr).toBe(1);
    expect(report.stderr).toContain("1 of 3 repositories drifted or could not be read");
    const dom = await renderedDom(page);
    expect(dom).toContain("<h1>ds-service fleet report</h1>");
    expect(dom).toMatch(/0 of 3 repositories current and without drift/);
    expect(dom).toMatch(/<tr class="drifted">[\s\S]*\.editorconfig \(edited\)/);
    expect((dom.match(/<tr class="outdated">/g) ?? []).length).toBe(2);
    await expectDrawn(page, "fleet-report.png", { minBytes: FLEET_PAGE_BYTES, height: 900 });
  });
});
