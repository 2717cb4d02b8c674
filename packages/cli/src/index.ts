export { newProject } from "./commands/new.js";
export {
  type NewFlags,
  type ResolvedNewOptions,
  resolveNewOptions,
} from "./commands/resolve-new-options.js";
export { type Exec, type ExecResult, execaExec } from "./exec.js";
export { createLogger, type Io, isInteractive, type Logger } from "./io.js";
export { type RunDeps, run } from "./main.js";
export type { Prompter } from "./prompts.js";
