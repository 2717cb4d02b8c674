import { describe, expect, it } from "vitest";
import { demoClassificationProfile } from "./dataset/demo.js";
import { fileApplies } from "./select.js";
import { serviceTemplateSource } from "./sources.js";

// What only a project with a data source has: confs/data.yaml, the SQL source, the snapshot
// job and their tests. The demo loads scikit-learn's data and has none of them.
const dataSourceFiles = [
  "confs/data.yaml.hbs",
  "src/__package__/io/sql.py",
  "src/__package__/jobs/snapshot.py",
  "tests/io/test_sql.py.hbs",
  "tests/jobs/test_snapshot.py.hbs",
];

describe("fileApplies", () => {
  it("gives the data-source files to --data projects only", () => {
    const templateFiles = serviceTemplateSource.files.map((file) => file.source);
    for (const file of dataSourceFiles) {
      expect(templateFiles, "a renamed file would silently reach the demo").toContain(file);
      expect(fileApplies(file, { ci: "github" }), file).toBe(false);
      expect(fileApplies(file, { ci: "github", dataset: demoClassificationProfile }), file).toBe(
        true,
      );
    }
  });
});
