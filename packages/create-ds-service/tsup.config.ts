import { defineConfig } from "tsup";

// Thin on purpose: the bin forwards to the cli's `new`, which carries the generator. CommonJS,
// like the cli's own bin, so Node starts without its ES module loader.
export default defineConfig({
  entry: ["src/bin.ts"],
  format: "cjs",
  target: "node20",
  platform: "node",
  clean: true,
});
