import { defineConfig } from "tsup";

// Thin on purpose: the bin forwards to the cli's `new`, which carries the generator.
export default defineConfig({
  entry: ["src/bin.ts"],
  format: "esm",
  target: "node20",
  platform: "node",
  clean: true,
});
