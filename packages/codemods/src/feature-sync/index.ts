import type { StructuralEdit } from "../upgrade-structural.js";
import { syncPythonFeature } from "./python.js";
import { syncYamlFeature } from "./yaml.js";

/**
 * `add feature`, `remove feature` and a `data refresh` that changes the feature set, as
 * structural edits of the project's Python (ast-grep) and YAML (the yaml Document API): each
 * feature goes in or out where the render has it, so the project's edits around it (a field
 * above, a comment, a reordered mapping) do not turn the change into a merge conflict.
 * Files with CRLF line ends are left to the merge, which keeps them.
 */
export function featureSync(features: readonly string[]): StructuralEdit {
  return (rel, ours, theirs, pristine) => {
    const sync = rel.endsWith(".py")
      ? syncPythonFeature
      : /\.ya?ml$/.test(rel)
        ? syncYamlFeature
        : null;
    if (sync === null || ours.includes("\r")) return null;
    let text: string | null = ours;
    for (const feature of features) {
      if (text === null) return null;
      if (theirs.includes(feature) || text.includes(feature))
        text = sync(text, theirs, pristine, feature);
    }
    return text;
  };
}
