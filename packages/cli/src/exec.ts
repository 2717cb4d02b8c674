// The lifecycle defines what running a tool means, and its implementation on execa.
export {
  type Exec,
  type ExecOptions,
  type ExecResult,
  execaExec,
  mustRun,
} from "@ds-service/generator";
