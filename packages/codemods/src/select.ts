import semver from "semver";
import type { Codemod } from "./codemod.js";

/** The codemods for an upgrade from `from` to `to`: introduced in (from, to], in registry order. */
export function selectCodemods(registry: readonly Codemod[], from: string, to: string): Codemod[] {
  return registry.filter(
    (codemod) => semver.gt(codemod.introducedIn, from) && semver.lte(codemod.introducedIn, to),
  );
}
