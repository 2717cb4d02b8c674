export {
  type Answers,
  type AnswersInput,
  answersProfile,
  answersSchema,
  type CiProvider,
  ciProviders,
  type Task,
  type TemplateContext,
  taskChoices,
  taskDescriptions,
  tasks,
  templateContext,
} from "./answers.js";
export {
  type ApplyOptions,
  applyPlan,
  assertDryRunnable,
  type FileOp,
  type RecoverOptions,
  recover,
  removeIfEmpty,
  type StepHook,
  stateDirFor,
  type UndoHandler,
  withRepoLock,
  withRepository,
} from "./apply/index.js";
export { isBinary, isText } from "./binary.js";
export { type DatasetContext, datasetContext, type FeatureContext } from "./dataset/context.js";
export { demoClassificationProfile, demoRegressionProfile } from "./dataset/demo.js";
export { type ProfileChange, profileChanges } from "./dataset/diff.js";
export {
  addFeature,
  type FeatureSpec,
  keepReviewed,
  removeFeature,
  withUnseenOther,
} from "./dataset/edit.js";
export { type DatasetProfile, datasetProfileSchema } from "./dataset/profile.js";
export { profilerSource } from "./dataset/profiler-source.js";
export { derivePrometheusRule, monitoringRulesPath, prometheusRulePath } from "./derive.js";
export {
  BusyError,
  CancelledError,
  DsServiceError,
  type ErrorReport,
  errorReport,
  exitCodes,
  FindingsError,
  InternalError,
  StepError,
  ValidationError,
} from "./errors.js";
export { escapeHelpers } from "./escape.js";
export {
  addCi,
  adopt,
  type Change,
  type ChangeKind,
  type CiCommands,
  ciCommands,
  ciPackSource,
  describeLosses,
  detectProject,
  type ExistingRepoOptions,
  type ExistingRepoResult,
  gitlabBesidePath,
  type ProjectLayout,
  pipelineIncludesBeside,
  planRecordedPack,
  recordPack,
} from "./existing/index.js";
export { generatorVersion, parseAnswers, planProject } from "./generate.js";
export {
  type CreateDeps,
  type CreateOptions,
  type CreateResult,
  createProject,
  type PostStep,
  type PostStepName,
  type PostStepStatus,
} from "./lifecycle/create.js";
export {
  type Exec,
  type ExecOptions,
  type ExecResult,
  type Logger,
  mustRun,
  type StepProgress,
} from "./lifecycle/deps.js";
export { execaExec } from "./lifecycle/execa-exec.js";
export { type DataRequest, pointSourceFromProject, profileData } from "./lifecycle/profile.js";
export { tuneModel } from "./lifecycle/tune.js";
export {
  buildManifest,
  buildPackManifest,
  type CiRecord,
  compareCodeUnits,
  type GeneratedManifest,
  isExecutable,
  type Manifest,
  type ManifestFile,
  manifestFile,
  manifestPath,
  manifestVersion,
  type PackManifest,
  parseManifest,
  readGeneratedManifest,
  readManifest,
  readManifestIfAny,
  serializeManifest,
  sha256,
} from "./manifest/index.js";
export { nameProblem, pythonPackage } from "./names.js";
export { assertInside, outputPath } from "./paths.js";
export type { Ownership, Plan, PlannedFile } from "./plan.js";
export { renderPlan } from "./render.js";
export { fileApplies, selectFiles } from "./select.js";
export {
  type FileSource,
  serviceTemplateSource,
  sources,
  type TemplateFile,
  type TemplateMove,
  templateVersion,
} from "./sources.js";
export { type FileChange, fileDiff, unifiedDiff } from "./unified-diff.js";
export { inspectTarget, writePlan } from "./write.js";
