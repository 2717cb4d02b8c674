import Handlebars from "handlebars";
// The built package, exactly as the generator consumes it (turbo builds before testing).
import { files } from "../dist/index.js";

// The helpers the generator registers; JSON strings are valid YAML and TOML strings too.
const hbs = Handlebars.create();
for (const helper of ["yaml", "toml", "py"]) hbs.registerHelper(helper, (v) => JSON.stringify(v));
type TemplateSpecification = Parameters<typeof hbs.template>[0];

export const answers = { name: "churn-model", ns: "churn_model", package: "churn_model" };

/** Every file of the pack, rendered as the generator renders it, by output path. */
export function render(): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of files) {
    const text =
      file.template !== undefined
        ? hbs.template(file.template as TemplateSpecification)(answers)
        : (file.content ?? "");
    out.set(file.source.replace(/\.hbs$/, ""), text);
  }
  return out;
}
