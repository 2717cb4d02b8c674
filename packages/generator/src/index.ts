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
export { CancelledError, DsServiceError, StepError, ValidationError } from "./errors.js";
export { escapeHelpers } from "./escape.js";
export {
  addCi,
  adopt,
  type Change,
  type ChangeKind,
  type CiCommands,
  ciCommands,
  detectProject,
  type ExistingRepoOptions,
  type ExistingRepoResult,
  type ProjectLayout,
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
  type Manifest,
  manifestPath,
  readManifest,
  sha256,
} from "./manifest.js";
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
