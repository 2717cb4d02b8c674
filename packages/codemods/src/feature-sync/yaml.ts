import { isMap, isScalar, isSeq, type Node, parseDocument } from "yaml";
import { type Container, type Member, syncMembers } from "./members.js";
import { applyEdits } from "./splice.js";

/**
 * A feature added to or removed from a YAML file the way the new render has it, located with
 * the yaml Document API: every mapping pair whose key names the feature (`tenure_months:`, or
 * a dotted key with it as one part, `features.tenure_months.max_bytes_per_row:`), in the
 * mapping at the same path. The project's comments, order and quoting stay; a pair is taken
 * out only where `pristine` (the template base) has it. Null when a file does not parse or a
 * change cannot be made safely.
 */
export function syncYamlFeature(
  ours: string,
  theirs: string,
  pristine: string,
  feature: string,
): string | null {
  const mine = mappings(ours);
  const their = mappings(theirs);
  const base = pristine === ours ? mine : mappings(pristine);
  if (mine === null || their === null || base === null) return null;
  const names = (m: Member) => m.key === feature || m.key.split(".").includes(feature);
  const edits = syncMembers(ours, mine, their, base, names);
  return edits === null ? null : applyEdits(ours, edits);
}

/** Every mapping of the document, by its path from the root (`examples.0.row`). */
function mappings(source: string): Map<string, Container> | null {
  const doc = parseDocument(source);
  if (doc.errors.length > 0) return null;
  const found = new Map<string, Container>();
  const walk = (node: unknown, path: string) => {
    if (isSeq(node)) {
      for (const [i, item] of node.items.entries()) walk(item, `${path}.${i}`);
    }
    if (!isMap(node)) return;
    const members: Member[] = [];
    for (const pair of node.items) {
      const key = pair.key;
      if (!isScalar(key) || key.range == null) continue;
      const value = pair.value as Node | null;
      const start = key.range[0];
      const text = source.slice(start, value?.range?.[1] ?? key.range[1]).trimEnd();
      members.push({ key: String(key.value), text, start, end: start + text.length });
      walk(value, `${path}.${String(key.value)}`);
    }
    found.set(path, { id: path, members, commas: node.flow === true });
  };
  walk(doc.contents, "");
  return found;
}
