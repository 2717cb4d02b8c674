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
  type ProjectLayout,
  planRecordedPack,
  recordPack,
} from "./existing/index.js";
export {
  type CreateOptions,
  type CreateResult,
  createProject,
  generatorVersion,
  parseAnswers,
  planProject,
} from "./generate.js";
export {
  buildManifest,
  buildPackManifest,
  type CiRecord,
  compareCodeUnits,
  type GeneratedManifest,
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
export { inspectTarget, writePlan } from "./write.js";
