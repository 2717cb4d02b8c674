export { addCi } from "./add-ci.js";
export { adopt } from "./adopt.js";
export { gitlabBesidePath, pipelineIncludesBeside } from "./ci-pack.js";
export type { CiCommands } from "./commands.js";
export { ciCommands } from "./commands.js";
export { type Change, type ChangeKind, describeLosses } from "./compare.js";
export { detectProject, type ProjectLayout } from "./detect.js";
export { ciPackSource, planRecordedPack, recordPack } from "./recorded-pack.js";
export type { ExistingRepoOptions, ExistingRepoResult } from "./run.js";
