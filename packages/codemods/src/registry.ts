import type { Codemod } from "./codemod.js";
import { moveToolConfig } from "./transforms/move-tool-config/index.js";
import { renameHoldoutFraction } from "./transforms/rename-holdout-fraction/index.js";

/**
 * Every codemod, in the order they run. Explicit on purpose: a registry discovered by reading
 * folders hides a codemod that fails to load. `registry.test.ts` checks this list against the
 * folders under transforms/.
 */
export const registry: readonly Codemod[] = [renameHoldoutFraction, moveToolConfig];
