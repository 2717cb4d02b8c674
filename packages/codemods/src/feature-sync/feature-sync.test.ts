import { describe, expect, it } from "vitest";
import { featureSync } from "./index.js";
import { syncPythonFeature } from "./python.js";
import { syncYamlFeature } from "./yaml.js";

// The feature edits of `add feature` / `remove feature`, on the shapes the template renders and
// on the edits teams make around them. `base` is the template's render before the change,
// `render` after it; `ours` is the project's file.

const lines = (...text: string[]) => `${text.join("\n")}\n`;

const base = lines(
  "class Features(pa.DataFrameModel):",
  "    age: Series[float] = pa.Field(",
  "        ge=0.0,",
  '        description="Age in years",',
  "    )",
  '    sex: Series[float] = pa.Field(isin=[1.0, 2.0], description="Sex")',
  "",
  "    class Config:",
  "        strict = True",
  "",
  "",
  "CALLER_OPTIONAL: Final[tuple[str, ...]] = ()",
  'NULLS: dict[str, int] = {"age": 0, "sex": 0}',
  "PROFILE = {",
  '    "age": 0,',
  '    "sex": 0,',
  "}",
);
const tenure = lines(
  "    tenure: Series[float] = pa.Field(",
  "        ge=0.0,",
  '        description="Months",',
  "    )",
).trimEnd();
const render = base
  .replace("\n\n    class Config:", `\n${tenure}\n\n    class Config:`)
  .replace("= ()", '= ("tenure",)')
  .replace('"sex": 0}', '"sex": 0, "tenure": 0}')
  .replace('    "sex": 0,\n}', '    "sex": 0,\n    "tenure": 0,\n}');

describe("syncPythonFeature", () => {
  it("makes the template's own render from its base", () => {
    expect(syncPythonFeature(base, render, base, "tenure")).toBe(render);
    expect(syncPythonFeature(render, base, render, "tenure")).toBe(base);
  });

  it("puts the field after the one it follows in the render, around the project's edits", () => {
    // The team moved `sex` first, edited `age`'s description and added a comment after it.
    const ours = base
      .replace('    sex: Series[float] = pa.Field(isin=[1.0, 2.0], description="Sex")\n', "")
      .replace(
        "class Features(pa.DataFrameModel):\n",
        'class Features(pa.DataFrameModel):\n    sex: Series[float] = pa.Field(isin=[1.0, 2.0], description="Sex")\n',
      )
      .replace('"Age in years",\n    )\n', '"Age, ours",\n    )  # reviewed\n');
    const synced = syncPythonFeature(ours, render, base, "tenure");
    expect(synced).toContain(
      `    sex: Series[float] = pa.Field(isin=[1.0, 2.0], description="Sex")\n${tenure}\n    age`,
    );
    expect(synced).toContain(`"Age, ours",\n    )  # reviewed\n\n    class Config:`);
    expect(synced).toContain('CALLER_OPTIONAL: Final[tuple[str, ...]] = ("tenure",)');
    expect(synced).toContain('{"age": 0, "sex": 0, "tenure": 0}');
    expect(synced).toContain('    "sex": 0,\n    "tenure": 0,\n}');
  });

  it("keeps the project's own names when the render's list differs", () => {
    const ours = base.replace("= ()", '= ("ours",)');
    const synced = syncPythonFeature(ours, render, base, "tenure");
    expect(synced).toContain('CALLER_OPTIONAL: Final[tuple[str, ...]] = ("tenure", "ours")');
    expect(syncPythonFeature(synced ?? "", base, render, "tenure")).toContain(
      'CALLER_OPTIONAL: Final[tuple[str, ...]] = ("ours",)',
    );
  });

  it("takes out only what the template had rendered: a field the project wrote stays", () => {
    const ours = base.replace(
      "\n\n    class Config:",
      "\n    tenure: Series[float] = pa.Field(ge=1.0)  # ours\n\n    class Config:",
    );
    expect(syncPythonFeature(ours, base, base, "tenure")).toBe(ours);
  });

  it("adds a missing comma rather than breaking a dict", () => {
    const ours = base.replace('    "sex": 0,\n}', '    "sex": 0\n}');
    expect(syncPythonFeature(ours, render, base, "tenure")).toContain(
      '    "sex": 0,\n    "tenure": 0,\n}',
    );
  });

  it("gives up (null) on code it cannot edit safely or parse", () => {
    const shared = base.replace(
      '    sex: Series[float] = pa.Field(isin=[1.0, 2.0], description="Sex")',
      "    sex: Series[float] = pa.Field(); x = 1",
    );
    expect(syncPythonFeature(shared, render, base, "tenure")).toBeNull();
    expect(syncPythonFeature(`${base}def broken(:\n`, render, base, "tenure")).toBeNull();
    expect(syncPythonFeature(`${base}x = = 1\n`, render, base, "tenure")).toBeNull();
  });
});

const registryBase = lines(
  "# The feature registry.",
  "min_importance: 0.002",
  "features:",
  '  "age": {owner: data-science, source: "form", pii: none}',
  '  "sex": {owner: data-science, source: "form", pii: sensitive}',
  "floors:",
  "  features.age.max_bytes_per_row: {at_most: 16}",
  "  features.sex.max_bytes_per_row: {at_most: 16}",
  "  features.*.max_bytes_per_row: {at_most: 1024}",
  "row: {age: 1, sex: 2}",
);
const registryRender = registryBase
  .replace(
    '  "sex": {owner: data-science, source: "form", pii: sensitive}\n',
    '  "sex": {owner: data-science, source: "form", pii: sensitive}\n  "tenure": {owner: data-science, source: "crm", pii: none}\n',
  )
  .replace(
    "  features.sex.max_bytes_per_row: {at_most: 16}\n",
    "  features.sex.max_bytes_per_row: {at_most: 16}\n  features.tenure.max_bytes_per_row: {at_most: 16}\n",
  )
  .replace("{age: 1, sex: 2}", "{age: 1, sex: 2, tenure: 3}");

describe("syncYamlFeature", () => {
  it("makes the template's own render from its base, and back", () => {
    expect(syncYamlFeature(registryBase, registryRender, registryBase, "tenure")).toBe(
      registryRender,
    );
    expect(syncYamlFeature(registryRender, registryBase, registryRender, "tenure")).toBe(
      registryBase,
    );
  });

  it("keeps the project's comments, quoting and order around the new pairs", () => {
    const ours = registryBase
      .replace("pii: sensitive}\n", "pii: sensitive}  # reviewed by legal\n")
      .replace(
        'owner: data-science, source: "form", pii: none}',
        "owner: 'risk', source: form, pii: none}",
      );
    const synced = syncYamlFeature(ours, registryRender, registryBase, "tenure");
    expect(synced).toContain(
      'pii: sensitive}  # reviewed by legal\n  "tenure": {owner: data-science, source: "crm", pii: none}\n',
    );
    expect(synced).toContain("owner: 'risk', source: form");
    expect(synced).toContain("  features.tenure.max_bytes_per_row: {at_most: 16}\n  features.*");
    expect(synced).toContain("row: {age: 1, sex: 2, tenure: 3}");
  });

  it("leaves a pair the project wrote itself", () => {
    const ours = registryBase.replace("min_importance", "tenure: kept by us\nmin_importance");
    expect(syncYamlFeature(ours, registryBase, registryBase, "tenure")).toBe(ours);
  });

  it("gives up (null) on a file that does not parse", () => {
    expect(syncYamlFeature("features: [\n", registryRender, registryBase, "tenure")).toBeNull();
  });
});

describe("featureSync", () => {
  const sync = featureSync(["tenure"]);

  it("edits Python and YAML by their kind, and leaves other files and CRLF text to the merge", () => {
    expect(sync("src/p/core/schemas.py", base, render, base)).toBe(render);
    expect(sync("confs/features.yaml", registryBase, registryRender, registryBase)).toBe(
      registryRender,
    );
    expect(sync("README.md", "a\n", "a\ntenure\n", "a\n")).toBeNull();
    const crlf = base.replaceAll("\n", "\r\n");
    expect(sync("src/p/core/schemas.py", crlf, render, base)).toBeNull();
  });
});
