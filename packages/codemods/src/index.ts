export { type BaseRefs, loadBase } from "./base-refs.js";
export { type CheckResult, checkProject, type Drift } from "./check.js";
export { type Codemod, type CodemodContext, CodemodError } from "./codemod.js";
export {
  type FleetEntry,
  type FleetReportRow,
  type FleetStatus,
  fleetReport,
  fleetUpgrade,
  rowState,
} from "./fleet.js";
export { fleetReportHtml } from "./fleet-html.js";
export {
  baseRef,
  baseRefspec,
  fetchBaseRefs,
  readBase,
  versionBaseRef,
  writeBase,
} from "./git.js";
export { execaGit, type UpgradeDeps } from "./git-exec.js";
export { type MergeResult, threeWayMerge, twoWayConflict } from "./merge.js";
export { findMoves, type Move, type MovedFile, moveSimilarity } from "./moves.js";
export { registry } from "./registry.js";
export { type RerenderOptions, rerenderProject } from "./rerender.js";
export {
  transactionDir,
  type UpgradeOptions,
  type UpgradeResult,
  upgradeProject,
} from "./run-upgrade.js";
export { selectCodemods } from "./select.js";
export { type StagedChange, StagedTree } from "./tree.js";
export {
  planUpgrade,
  projectTemplateVersion,
  UpgradeError,
  type UpgradeInputs,
} from "./upgrade.js";
export { type Conflict, type Deletion, theirsSuffix } from "./upgrade-file.js";
