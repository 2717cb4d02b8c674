import type { DatasetProfile, ProfileColumn } from "./profile.js";

/** One reviewable difference between the profile a project has and a new one. */
export interface ProfileChange {
  readonly column: string;
  readonly kind:
    | "added"
    | "removed"
    | "kind-changed"
    | "new-categories"
    | "dropped-categories"
    | "unseen-changed"
    | "wider-range"
    | "new-nulls"
    | "classes-changed"
    | "rows";
  readonly detail: string;
}

const values = (c: Extract<ProfileColumn, { kind: "categorical" }>) =>
  c.categories.map((x) => String(x.value));

function columnChanges(before: ProfileColumn, after: ProfileColumn): ProfileChange[] {
  const column = after.name;
  if (before.kind !== after.kind) {
    return [{ column, kind: "kind-changed", detail: `${before.kind} → ${after.kind}` }];
  }
  const changes: ProfileChange[] = [];
  if (before.kind === "categorical" && after.kind === "categorical") {
    const added = values(after).filter((v) => !values(before).includes(v));
    const dropped = values(before).filter((v) => !values(after).includes(v));
    if (added.length) changes.push({ column, kind: "new-categories", detail: added.join(", ") });
    if (dropped.length) {
      changes.push({ column, kind: "dropped-categories", detail: dropped.join(", ") });
    }
    const [was, now] = [before.unseen ?? "refuse", after.unseen ?? "refuse"];
    if (was !== now) {
      changes.push({
        column,
        kind: "unseen-changed",
        detail: `unseen categories: ${was} → ${now}`,
      });
    }
  }
  if (before.kind === "numeric" && after.kind === "numeric") {
    if (after.min < before.min || after.max > before.max) {
      changes.push({
        column,
        kind: "wider-range",
        detail: `[${before.min}, ${before.max}] → [${after.min}, ${after.max}]`,
      });
    }
  }
  if (before.nulls === 0 && after.nulls > 0) {
    changes.push({ column, kind: "new-nulls", detail: `${after.nulls} missing value(s)` });
  }
  return changes;
}

/** What `data refresh` would change in the schema, in words a reviewer reads before applying. */
export function profileChanges(before: DatasetProfile, after: DatasetProfile): ProfileChange[] {
  const old = new Map(before.features.map((f) => [f.name, f]));
  const next = new Map(after.features.map((f) => [f.name, f]));
  const changes: ProfileChange[] = [];
  for (const [name, column] of next) {
    const previous = old.get(name);
    if (!previous) changes.push({ column: name, kind: "added", detail: column.kind });
    else changes.push(...columnChanges(previous, column));
  }
  for (const name of old.keys()) {
    if (!next.has(name))
      changes.push({ column: name, kind: "removed", detail: "not in the new data" });
  }
  const labels = (p: DatasetProfile) =>
    (p.target.classes ?? []).map((c) => String(c.value)).join(", ");
  if (labels(before) !== labels(after)) {
    changes.push({
      column: after.target.name,
      kind: "classes-changed",
      detail: `${labels(before)} → ${labels(after)}`,
    });
  }
  if (before.rows !== after.rows) {
    changes.push({ column: "", kind: "rows", detail: `${before.rows} → ${after.rows} rows` });
  }
  return changes;
}
