import python from "@ast-grep/lang-python";
import { parse, registerDynamicLanguage, type SgNode } from "@ast-grep/napi";
import { type Container, type Member, syncMembers } from "./members.js";
import { applyEdits, type TextEdit } from "./splice.js";

registerDynamicLanguage({ python });

/**
 * A feature added to or removed from the project's Python the way the new render has it,
 * located by a Python parser (ast-grep), never by a regex:
 * - a field named after it in a class (`Features`' pandera columns);
 * - an entry keyed by it in a dict assigned to a name (`NULLS_IN_PROFILE`);
 * - its name in a tuple or list of strings assigned to a name (`CALLER_OPTIONAL`).
 * Everything else in the file stays as the project has it. Null when the file cannot be
 * parsed or a change cannot be made safely: the 3-way merge then decides alone. `pristine`
 * (the template base) says what the template had rendered: only that is ever taken out.
 */
export function syncPythonFeature(
  ours: string,
  theirs: string,
  pristine: string,
  feature: string,
): string | null {
  const mine = parsed(ours);
  const their = parsed(theirs);
  const base = pristine === ours ? mine : parsed(pristine);
  if (mine === null || their === null || base === null) return null;
  const named = (m: Member) => m.key === feature;
  const edits = syncMembers(ours, mine.containers, their.containers, base.containers, named);
  if (edits === null) return null;
  for (const [name, theirList] of their.lists) {
    const own = mine.lists.get(name);
    if (own === undefined) continue;
    // Taken out only where the template had put it: a name the project listed itself stays.
    const rendered = base.lists.get(name)?.items.some((i) => i.key === feature) ?? false;
    const edit = syncList(own, theirList, feature, rendered);
    if (edit !== null) edits.push(edit);
  }
  return applyEdits(ours, edits);
}

/** A tuple or list of string literals assigned to a name. */
interface StringList {
  readonly node: SgNode;
  readonly items: readonly { key: string; text: string }[];
}

function parsed(source: string) {
  let root: SgNode;
  try {
    root = parse("python", source).root();
  } catch {
    return null;
  }
  if (broken(root)) return null;
  const containers = new Map<string, Container>();
  const lists = new Map<string, StringList>();
  for (const node of root.findAll({ rule: { kind: "class_definition" } })) {
    const id = `class ${node.field("name")?.text()}`;
    if (!containers.has(id)) containers.set(id, { id, members: fields(node), commas: false });
  }
  for (const node of root.findAll({ rule: { kind: "assignment" } })) {
    const name = node.field("left");
    const value = node.field("right");
    if (name?.kind() !== "identifier" || value === null) continue;
    if (value.kind() === "dictionary") {
      const id = `dict ${name.text()}`;
      if (!containers.has(id)) containers.set(id, { id, members: entries(value), commas: true });
    } else if (value.kind() === "tuple" || value.kind() === "list") {
      const items = value.children().filter((c) => c.isNamed() && c.kind() !== "comment");
      const keys = items.map((item) => stringValue(item));
      if (keys.every((k) => k !== null) && !lists.has(name.text())) {
        lists.set(name.text(), {
          node: value,
          items: items.map((item, i) => ({ key: keys[i] as string, text: item.text() })),
        });
      }
    }
  }
  return { containers, lists };
}

/** Whether the parser had to recover: an ERROR node, or a MISSING one (zero-width, invented). */
function broken(node: SgNode): boolean {
  const { start, end } = node.range();
  if (node.kind() === "ERROR" || (start.index === end.index && node.kind() !== "module")) {
    return true;
  }
  return node.children().some(broken);
}

const member = (node: SgNode, key: string): Member => ({
  key,
  text: node.text(),
  start: node.range().start.index,
  end: node.range().end.index,
});

/** A class's fields: `name: type = value` or `name = value` statements of its body. */
function fields(node: SgNode): Member[] {
  const body = node.field("body")?.children() ?? [];
  return body.flatMap((statement) => {
    const assignment = statement.kind() === "expression_statement" ? statement.child(0) : null;
    const name = assignment?.kind() === "assignment" ? assignment.field("left") : null;
    return name?.kind() === "identifier" ? [member(statement, name.text())] : [];
  });
}

/** A dict literal's `"key": value` entries with a plain string key. */
function entries(node: SgNode): Member[] {
  return node.children().flatMap((pair) => {
    const key = pair.kind() === "pair" ? pair.field("key") : null;
    const text = key === null ? null : stringValue(key);
    return pair !== null && text !== null ? [member(pair, text)] : [];
  });
}

/** The value of a plain string literal (no prefix, no escapes, no interpolation). */
function stringValue(node: SgNode): string | null {
  if (node.kind() !== "string") return null;
  const match = /^(["'])([^"'\\]*)\1$/.exec(node.text());
  return match?.[2] ?? null;
}

/**
 * The list's new text when the render changed whether it holds `feature`: the render's own
 * text when the project's other items are the render's, else the project's items with the
 * feature put in (after the item preceding it in the render) or taken out, on one line.
 */
function syncList(
  own: StringList,
  their: StringList,
  feature: string,
  rendered: boolean,
): TextEdit | null {
  const want = their.items.some((i) => i.key === feature);
  const has = own.items.some((i) => i.key === feature);
  if (want === has || (has && !rendered)) return null;
  let items = own.items.map((i) => i.text);
  let keys = own.items.map((i) => i.key);
  if (want) {
    const index = their.items.findIndex((i) => i.key === feature);
    const before = their.items[index - 1]?.key;
    const at = before === undefined ? 0 : keys.indexOf(before) + 1 || keys.length;
    items = [...items.slice(0, at), their.items[index]?.text ?? "", ...items.slice(at)];
    keys = [...keys.slice(0, at), feature, ...keys.slice(at)];
  } else {
    items = items.filter((_, i) => keys[i] !== feature);
    keys = keys.filter((k) => k !== feature);
  }
  const range = own.node.range();
  const theirKeys = their.items.map((i) => i.key);
  const text =
    keys.join("\0") === theirKeys.join("\0")
      ? their.node.text()
      : own.node.kind() === "tuple"
        ? `(${items.join(", ")}${items.length === 1 ? "," : ""})`
        : `[${items.join(", ")}]`;
  return { start: range.start.index, end: range.end.index, text };
}
