import fs from "node:fs/promises";
import path from "node:path";
import { listTree, repoRoot } from "@ds-service/test-utils";
import { describe, expect, it } from "vitest";

// A project name may be 55 characters, so `from <package>.<module> import <names>` on one line
// can outgrow ruff's line length in the generated project. Imports of the package are written
// parenthesized, one name per line: ruff format then keeps them within the limit for any name.
describe("service template imports of the project package", () => {
  it("are parenthesized in every template file", async () => {
    const templateDir = path.join(repoRoot, "templates/service/template");
    const offenders: string[] = [];
    for (const file of await listTree(templateDir)) {
      if (!file.endsWith(".py") && !file.endsWith(".py.hbs")) continue;
      const text = await fs.readFile(path.join(templateDir, file), "utf8");
      for (const line of text.split("\n")) {
        if (/^from \{\{package\}\}[\w.]* import [^(]/.test(line))
          offenders.push(`${file}: ${line}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
