import path from "node:path";
import {
  addFeature,
  answersProfile,
  type FeatureSpec,
  readGeneratedManifest,
  removeFeature,
  ValidationError,
} from "@ds-service/generator";
import { type Command, Option } from "commander";
import { commaList } from "../comma-list.js";
import type { Io, Logger } from "../io.js";
import { projectRoot } from "../project-root.js";
import type { RerenderFlags } from "./rerender.js";
import type { UpgradeCommandDeps } from "./upgrade.js";

// The re-render goes through the upgrade engine (codemods, a native Python parser): loaded only
// when a feature command runs, so `new` does not pay for it at start-up.
const rerender = async (...args: Parameters<typeof import("./rerender.js").rerender>) =>
  (await import("./rerender.js")).rerender(...args);

export const piiKinds = [
  "none",
  "quasi_identifier",
  "sensitive",
  "direct_identifier",
  "contact",
] as const;

interface FeatureFlags extends RerenderFlags {
  readonly min?: string;
  readonly max?: string;
  readonly categories?: string;
  readonly nullable?: boolean;
  readonly required?: boolean;
  readonly unseenOther?: boolean;
  readonly example?: string;
  readonly description: string;
  readonly owner: string;
  readonly source: string;
  readonly pii: FeatureSpec["pii"];
  readonly cwd?: string;
}

const number = (flag: string, text: string | undefined): number => {
  const value = Number(text);
  if (text === undefined || text.trim() === "" || !Number.isFinite(value)) {
    throw new ValidationError(`${flag} must be a number (got ${JSON.stringify(text ?? "")})`);
  }
  return value;
};

/** The feature the flags declare; which flags make sense depends on numeric or categorical. */
function featureSpec(name: string, flags: FeatureFlags): FeatureSpec {
  for (const [flag, value] of [
    ["--description", flags.description],
    ["--owner", flags.owner],
    ["--source", flags.source],
  ] as const) {
    if (!value.trim() || /\n/.test(value))
      throw new ValidationError(`${flag} must be non-empty, on one line`);
  }
  const categorical = flags.categories !== undefined;
  if (categorical && (flags.min !== undefined || flags.max !== undefined)) {
    throw new ValidationError("give either --categories or --min and --max, not both");
  }
  const categories = flags.categories === undefined ? undefined : commaList(flags.categories);
  const example =
    flags.example === undefined
      ? categorical && categories?.[0] !== undefined
        ? categories[0]
        : null
      : categorical
        ? flags.example
        : number("--example", flags.example);
  return {
    name,
    ...(categorical
      ? { categories: categories ?? [] }
      : { range: [number("--min", flags.min), number("--max", flags.max)] as const }),
    nullable: flags.nullable === true,
    required: flags.required === true,
    unseenOther: flags.unseenOther === true,
    example,
    description: flags.description,
    source: flags.source,
    owner: flags.owner,
    pii: flags.pii,
  };
}

const rerenderOptions = (command: Command) =>
  command
    .option("--cwd <path>", "the project root (default: the current directory)")
    .option("--dry-run", "print the full diff and write nothing")
    .option("--allow-dirty", "change the project even with uncommitted changes")
    .option("--json", "machine-readable output");

/**
 * `ds-service add feature` and `remove feature`: wiring only. Both edit the project's data
 * profile and re-render every file from it (schema, registry, example rows, slices) through
 * the upgrade engine, so the project's edits are 3-way merged and the change is one transaction;
 * the feature itself is edited in structurally first (codemods' `featureSync`).
 */
export function registerFeatureCommands(
  add: Command,
  remove: Command,
  io: Io,
  log: Logger,
  /** git through the CLI's exec, the library's log, Ctrl-C (the re-render rolls back). */
  deps: (flags: { json?: boolean }) => UpgradeCommandDeps,
): void {
  rerenderOptions(
    add
      .command("feature")
      .description(
        "add a numeric or categorical feature: schema, registry, examples and tests follow",
      )
      .argument("<name>", "feature name: a lowercase Python identifier")
      .option("--min <number>", "numeric: lowest valid value (the schema refuses less)")
      .option("--max <number>", "numeric: highest valid value (the schema refuses more)")
      .option("--categories <values>", "categorical: the comma-separated allowed values")
      .option("--nullable", "requests may send null; the Pipeline imputes it")
      .option(
        "--required",
        "callers must send it at once (by default they may leave it out until the next major: `make contract` fails a new required input)",
      )
      .option(
        "--unseen-other",
        'categorical: score a category outside --categories as "other" instead of refusing it',
      )
      .option(
        "--example <value>",
        "a real value, for the example rows (default: the first category)",
      )
      .requiredOption("--description <text>", "what the value means, with its unit")
      .option("--owner <team>", "who answers for the feature", "data-science")
      .requiredOption("--source <text>", "where the value comes from at serving time")
      .addOption(
        new Option("--pii <kind>", "what kind of personal data it is")
          .choices(piiKinds)
          .default("none"),
      ),
  ).action(async (name: string, flags: FeatureFlags) => {
    const dir = await projectRoot(path.resolve(io.cwd, flags.cwd ?? "."));
    const spec = featureSpec(name, flags);
    const manifest = await readGeneratedManifest(dir);
    const profile = addFeature(answersProfile(manifest.answers), spec);
    await rerender(dir, manifest, profile, flags, log, {}, deps(flags));
    if (!flags.dryRun && !flags.json) {
      log.info(
        `Next: give "${name}" a value in the training data (${manifest.answers.dataset ? "then `ds-service data refresh --data <file>`" : "return it from load_dataset in src/<package>/io/data.py"}) and in requests, then run \`make check\`: the feature must earn its place (D2).`,
      );
    }
  });

  rerenderOptions(
    remove
      .command("feature")
      .description("remove a feature: schema, registry, examples and tests follow")
      .argument("<name>", "the feature to remove"),
  ).action(async (name: string, flags: RerenderFlags & { cwd?: string }) => {
    const dir = await projectRoot(path.resolve(io.cwd, flags.cwd ?? "."));
    const manifest = await readGeneratedManifest(dir);
    await rerender(
      dir,
      manifest,
      removeFeature(answersProfile(manifest.answers), name),
      flags,
      log,
      {},
      deps(flags),
    );
  });
}
