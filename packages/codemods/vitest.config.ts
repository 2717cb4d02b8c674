import { defineConfig } from "vitest/config";

// These tests spawn git and the built CLI: generous timeouts keep them steady on a loaded
// 2-core machine (CI runs every package's tests at once).
export default defineConfig({
  test: { testTimeout: 60_000, hookTimeout: 60_000 },
});
