import fs from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "tsup";

// The lock a new project starts from: the bundled template points at it beside cli.cjs.
const templateDist = path.join(
  path.dirname(createRequire(import.meta.url).resolve("@ds-service/template-service/package.json")),
  "dist",
);

const alias = {
  // node-plop imports inquirer 9 (+ rxjs) for its own prompts, which we never run: our
  // prompts are @inquirer/prompts, asked before generation. Keep that stack out of the bundle.
  inquirer: fileURLToPath(new URL("./src/vendor/inquirer-unused.ts", import.meta.url)),
};

/**
 * V8 holds a source with a single non-ASCII character as a two-byte string: twice the memory to
 * read, decode and scan (~5 ms of a ~145 ms scaffold for the 4.4 MB bundle). esbuild already
 * escapes strings and regular expressions (charset ascii); what it leaves are comments of bundled
 * libraries (an em dash in zod's, a yen sign in iconv-lite's). Each UTF-16 unit becomes a
 * `\uXXXX` escape, which means the same character anywhere a string or pattern could hold it.
 */
async function asciiOnly(file: string): Promise<void> {
  const text = await fs.readFile(file, "utf8");
  const escaped = text.replace(
    /[^\x00-\x7f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  if (escaped !== text) await fs.writeFile(file, escaped);
}

export default defineConfig([
  {
    // The CLI itself, as one CommonJS file: on Node 20 only CommonJS can go through V8's code
    // cache (src/launch/compile-cache.ts), which is most of a fast start. Everything is bundled
    // (the generator, the precompiled template, node-plop, handlebars, zod), so the published
    // package carries its own template. Prompts and execa are bundled too (a script run from
    // V8's cache cannot import() an ES module on Node 20), behind import() so that esbuild
    // initialises them only on the paths that use them. Only ast-grep, whose native parser
    // cannot be bundled, stays external.
    entry: { cli: "src/index.ts" },
    format: "cjs",
    target: "node20",
    platform: "node",
    dts: true,
    noExternal: [/^(?!@ast-grep\/).*/],
    esbuildOptions(options) {
      options.alias = alias;
      // Bundled ES modules (fdir, our template locations) read import.meta.url.
      options.define = { "import.meta.url": "__dsImportMetaUrl" };
    },
    banner: {
      js: 'const __dsImportMetaUrl = require("node:url").pathToFileURL(__filename).href;',
    },
    async onSuccess() {
      await fs.copyFile(path.join(templateDist, "uv.lock.seed"), "dist/uv.lock.seed");
      await asciiOnly("dist/cli.cjs");
    },
  },
  {
    // The bins and the launcher other packages' bins share: small CommonJS files that load
    // cli.cjs. CommonJS because a CommonJS entry spares Node its ES module loader (~10 ms).
    entry: { bin: "src/bin.ts", launch: "src/launch/launch.ts" },
    format: "cjs",
    target: "node20",
    platform: "node",
    shims: true,
    dts: { entry: { launch: "src/launch/launch.ts" } },
  },
]);
