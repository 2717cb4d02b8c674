import python from "@ast-grep/lang-python";
import { parse, registerDynamicLanguage, type SgNode } from "@ast-grep/napi";
import { isMap, isScalar, parseDocument } from "yaml";
import { type Codemod, CodemodError } from "../../codemod.js";
import type { StagedTree } from "../../tree.js";

const oldKey = "test_size";
const newKey = "holdout_fraction";
const configFile = "confs/train.yaml";

registerDynamicLanguage({ python });

/**
 * Template 0.2.0 names the held-out share of the data `holdout_fraction`: `test_size` read as
 * "size of the tests" next to a tests/ folder. Renames the key in confs/train.yaml (comments and
 * order kept, via the yaml Document API) and the `TrainConfig` field and its attribute reads in
 * the project's Python (via a Python parser, never a regex).
 */
export const renameHoldoutFraction: Codemod = {
  name: "rename-holdout-fraction",
  description: "Rename the training config key test_size to holdout_fraction",
  introducedIn: "0.2.0",
  idempotent: true,
  async transform(tree, context) {
    await renameYamlKey(tree);
    for (const file of await pythonFiles(tree, context.package)) {
      const source = await tree.read(file);
      if (source === null) continue;
      const renamed = renamePython(source);
      if (renamed !== source) await tree.write(file, renamed);
    }
  },
};

async function renameYamlKey(tree: StagedTree): Promise<void> {
  const text = await tree.read(configFile);
  if (text === null) throw new CodemodError(`${configFile} not found: it holds the key to rename`);
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new CodemodError(`${configFile} is not valid YAML: ${doc.errors[0]?.message}`);
  }
  if (!isMap(doc.contents)) throw new CodemodError(`${configFile} is not a mapping`);
  const pair = doc.contents.items.find((item) => isScalar(item.key) && item.key.value === oldKey);
  if (!pair) return; // already migrated, or never set (the default applies)
  if (doc.has(newKey)) {
    throw new CodemodError(`${configFile} sets both ${oldKey} and ${newKey}; keep one and re-run`);
  }
  if (isScalar(pair.key)) pair.key.value = newKey;
  await tree.write(configFile, doc.toString());
}

/** The project's Python: the package and the tests. */
async function pythonFiles(tree: StagedTree, pkg: string): Promise<string[]> {
  const files = [...(await tree.list(`src/${pkg}`)), ...(await tree.list("tests"))];
  return files.filter((f) => f.endsWith(".py"));
}

/**
 * `<obj>.test_size` reads and the `test_size: <type> = ...` field of `class TrainConfig`.
 * Keyword arguments named test_size (scikit-learn's `train_test_split`) are a different thing
 * and stay.
 */
export function renamePython(source: string): string {
  const root = parse("python", source).root();
  const edits = [
    ...root.findAll({
      rule: { kind: "attribute", has: { field: "attribute", regex: `^${oldKey}$` } },
    }),
    ...trainConfigFields(root),
  ].map((node) => {
    const name = node.kind() === "attribute" ? node.field("attribute") : node.field("left");
    if (!name) throw new Error("unexpected Python node shape");
    return name.replace(newKey);
  });
  return edits.length === 0 ? source : root.commitEdits(edits);
}

function trainConfigFields(root: SgNode): SgNode[] {
  return root
    .findAll({ rule: { kind: "class_definition", has: { field: "name", regex: "^TrainConfig$" } } })
    .flatMap((cls) =>
      cls.findAll({
        rule: {
          kind: "assignment",
          has: { field: "left", regex: `^${oldKey}$` },
          // A field of the class itself, not a local variable in one of its methods.
          inside: {
            kind: "expression_statement",
            inside: { kind: "block", inside: { kind: "class_definition" } },
          },
        },
      }),
    );
}
