export { type ApplyOptions, applyPlan, type FileOp } from "./apply.js";
export { assertNotBusy, withRepoLock } from "./lock.js";
export { type RecoverOptions, recover } from "./recover.js";
export { assertDryRunnable, withRepository } from "./session.js";
export { removeIfEmpty, stateDirFor } from "./state-dir.js";
export type { StepHook, UndoHandler } from "./steps.js";
