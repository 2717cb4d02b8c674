import { fileURLToPath } from "node:url";
import { defineConfig } from "tsup";

// Everything is bundled (the generator, the precompiled template, node-plop, handlebars, zod),
// so the CLI starts from one file and the published package carries its own template. The two
// dependencies loaded only on the paths that need them stay external: prompts and execa; and
// ast-grep, whose native parser cannot be bundled.
export default defineConfig({
  entry: ["src/bin.ts", "src/index.ts"],
  format: "esm",
  target: "node20",
  platform: "node",
  dts: { entry: "src/index.ts" },
  clean: true,
  splitting: true,
  noExternal: [/^(?!@inquirer\/prompts$|execa$|@ast-grep\/).*/],
  esbuildOptions(options) {
    // node-plop imports inquirer 9 (+ rxjs) for its own prompts, which we never run: our
    // prompts are @inquirer/prompts, asked before generation. Keep that stack out of the bundle.
    options.alias = {
      inquirer: fileURLToPath(new URL("./src/vendor/inquirer-unused.ts", import.meta.url)),
    };
  },
  banner: {
    // Bundled CommonJS dependencies (handlebars, node-plop's) call require().
    js: "import { createRequire as __dsCreateRequire } from 'node:module'; const require = __dsCreateRequire(import.meta.url);",
  },
});
