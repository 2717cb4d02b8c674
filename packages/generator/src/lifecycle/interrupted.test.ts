import fs from "node:fs/promises";
import path from "node:path";
import { listTree, testdir } from "@ds-service/test-utils";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.js";
import { manifestPath, sha256 } from "../manifest/index.js";
import { recoverInterruptedSetup, setupMarker } from "./interrupted.js";

// The refusal names the set-up a project fitted to data still needs: `make tune` included.
const silent = { info: () => undefined, warn: () => undefined, bold: (t: string) => t };

describe("recoverInterruptedSetup", () => {
  it("refuses a changed project fitted to data with the commands that finish its set-up", async () => {
    const readme = "# generated\n";
    const target = path.join(
      await testdir({
        "proj/README.md": `${readme}my notes\n`,
        [`proj/${setupMarker}`]: JSON.stringify({ existed: false, entries: [] }),
        [`proj/${manifestPath}`]: JSON.stringify({
          answers: { dataset: { source: { file: "rows.csv" } } },
          files: { "README.md": { sha256: sha256(Buffer.from(readme)) } },
        }),
      }),
      "proj",
    );
    const tree = await listTree(target);
    const refused = recoverInterruptedSetup(target, silent);
    await expect(refused).rejects.toThrow(ValidationError);
    await expect(refused).rejects.toThrow(
      /\(README\.md\); finish its set-up in it \(make setup && make tune && make contract-release && make budgets-record, then commit\)/,
    );
    expect(await listTree(target)).toEqual(tree);
    expect(await fs.readFile(path.join(target, "README.md"), "utf8")).toMatch(/my notes/);
  });

  it.each([
    ["not JSON", "{half"],
    ["JSON of another shape", JSON.stringify({ existed: "yes" })],
  ])("refuses a marker that is %s, removing nothing", async (_, marker) => {
    const target = path.join(
      await testdir({ "proj/README.md": "# generated\n", [`proj/${setupMarker}`]: marker }),
      "proj",
    );
    const tree = await listTree(target);
    const refused = recoverInterruptedSetup(target, silent);
    await expect(refused).rejects.toThrow(ValidationError);
    await expect(refused).rejects.toThrow(/is not the marker `new` writes.*nothing was removed/);
    expect(await listTree(target)).toEqual(tree);
  });

  it("keeps every file when the manifest that would vouch for them is unreadable", async () => {
    const target = path.join(
      await testdir({
        "proj/README.md": "# generated\n",
        [`proj/${setupMarker}`]: JSON.stringify({ existed: false, entries: [] }),
        [`proj/${manifestPath}`]: "{torn",
      }),
      "proj",
    );
    const tree = await listTree(target);
    await expect(recoverInterruptedSetup(target, silent)).rejects.toThrow(
      /with changes made since \(README\.md\)/,
    );
    expect(await listTree(target)).toEqual(tree);
  });
});
