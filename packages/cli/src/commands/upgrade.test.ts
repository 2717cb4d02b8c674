import type { Deletion, UpgradeResult } from "@ds-service/codemods";
import { describe, expect, it } from "vitest";
import { upgradeSummary } from "./upgrade.js";

const deleted = (path: string, kind: Deletion["kind"], reason: string): Deletion => ({
  path,
  kind,
  reason,
});

const theirs = "assets/logo.png.ds-service-theirs";
const result: UpgradeResult = {
  versionOf: "template",
  from: "0.4.0",
  to: "0.5.0",
  codemods: [],
  changed: [theirs, "docs/unused.md"],
  conflicts: [
    { path: "assets/logo.png", reason: `both changed it: the template's is ${theirs}`, theirs },
    { path: "src/legacy.py", reason: "removed by the template, but edited here (kept)" },
  ],
  deletions: [
    deleted("docs/old.md", "user-deleted-changed", "deleted here: left deleted"),
    deleted("docs/unused.md", "template-deleted", "unedited here: deleted"),
    deleted("src/legacy.py", "template-deleted-edited", "edited here: kept"),
  ],
  moves: [],
  baseRefs: { state: "local" },
  diff: "",
  recovered: 0,
  dryRun: false,
};

describe("upgradeSummary", () => {
  it("names what is versioned: a repository add ci wrote upgrades its CI pack", () => {
    const current = { ...result, versionOf: "CI pack" as const, changed: [], conflicts: [] };
    expect(upgradeSummary({ ...current, deletions: [] })).toBe(
      "Already up to date (CI pack 0.5.0): nothing to change.",
    );
  });

  it("names every conflict and every delete, each file once", () => {
    expect(upgradeSummary(result).split("\n")).toEqual([
      "Upgraded template 0.4.0 → 0.5.0: 2 file(s)",
      `  CONFLICT assets/logo.png: both changed it: the template's is ${theirs}`,
      "  CONFLICT src/legacy.py: removed by the template, but edited here (kept)",
      "  DELETED docs/old.md: deleted here: left deleted",
      "  DELETED docs/unused.md: unedited here: deleted",
      "Review with `git diff`, run `make check`, then commit.",
    ]);
  });

  it("says how to bring a missing base first, then lists every move", () => {
    const hint = "run `git fetch origin 'refs/ds-service/*:refs/ds-service/*'`";
    const lines = upgradeSummary({
      ...result,
      changed: ["src/pkg/utils/helpers.py"],
      conflicts: [],
      deletions: [],
      moves: [
        {
          from: "src/pkg/helpers.py",
          to: "src/pkg/utils/helpers.py",
          kind: "detected",
          similarity: 82,
          reason: "moved by the template (detected: 82 % similar): your edit went with it",
        },
      ],
      baseRefs: { state: "missing", hint },
    }).split("\n");
    expect(lines).toEqual([
      "Upgraded template 0.4.0 → 0.5.0: 1 file(s)",
      `  NO BASE: ${hint}`,
      "  MOVED src/pkg/helpers.py → src/pkg/utils/helpers.py: moved by the template (detected: 82 % similar): your edit went with it",
      "Review with `git diff`, run `make check`, then commit.",
    ]);
  });
});
