import path from "node:path";
import { ValidationError } from "@ds-service/generator";
import { type Command, Option } from "commander";
import type { Io, Logger } from "../io.js";
import { addFeature, type PiiKind, piiKinds } from "./add-feature.js";

interface FeatureFlags {
  readonly min: string;
  readonly max: string;
  readonly description: string;
  readonly owner: string;
  readonly source: string;
  readonly pii: PiiKind;
  readonly cwd?: string;
}

/**
 * `ds-service add feature <name> --min --max --description ...`: wiring only. Registered under the
 * shared `add` command so it inherits exitOverride and the output configuration.
 */
export function registerAdd(add: Command, io: Io, log: Logger): void {
  add
    .command("feature")
    .description("add a numeric feature to the schema, the feature registry and the tests")
    .argument("<name>", "feature name: a lowercase Python identifier")
    .requiredOption("--min <number>", "lowest valid value (the schema refuses less)")
    .requiredOption("--max <number>", "highest valid value (the schema refuses more)")
    .requiredOption("--description <text>", "what the value means, with its unit")
    .option("--owner <team>", "who answers for the feature", "data-science")
    .requiredOption("--source <text>", "where the value comes from at serving time")
    .addOption(
      new Option("--pii <kind>", "what kind of personal data it is")
        .choices(piiKinds)
        .default("none"),
    )
    .option("--cwd <path>", "the project root (default: the current directory)")
    .action(async (name: string, flags: FeatureFlags) => {
      const min = Number(flags.min);
      const max = Number(flags.max);
      if (flags.min.trim() === "" || flags.max.trim() === "") {
        throw new ValidationError("--min and --max must be numbers");
      }
      const projectDir = path.resolve(io.cwd, flags.cwd ?? ".");
      const written = await addFeature({ ...flags, projectDir, name, min, max });
      for (const file of written) log.info(`updated ${file}`);
      log.info(
        `Next: return "${name}" from load_dataset (src/<package>/io/data.py) and in requests, ` +
          "then run `make check` (the feature must earn its place: tests/core/test_feature_value.py).",
      );
    });
}
