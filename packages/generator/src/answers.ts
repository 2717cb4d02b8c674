import * as z from "zod";
import { type DatasetContext, datasetContext } from "./dataset/context.js";
import { demoClassificationProfile, demoRegressionProfile } from "./dataset/demo.js";
import { type DatasetProfile, datasetProfileSchema } from "./dataset/profile.js";
import { kserveNames } from "./kserve-names.js";
import { nameProblem, pythonPackage } from "./names.js";

/** The tasks the template supports; drives the schema, the `--task` flag and the prompt. */
export const tasks = ["classification", "binary", "multiclass", "regression"] as const;
export type Task = (typeof tasks)[number];

/** `--task` also takes `auto`: with `--data`, the profile decides from the target column. */
export const taskChoices = ["auto", ...tasks] as const;

export const taskDescriptions: Record<Task, string> = {
  classification: "predict a class (the demo: is disease progression above the median, 0/1)",
  binary: "predict one of two classes",
  multiclass: "predict one of three or more classes",
  regression: "predict a number",
};

/** Where the generated CI runs; drives the schema, the `--ci` flag and which CI files render. */
export const ciProviders = ["github", "gitlab"] as const;
export type CiProvider = (typeof ciProviders)[number];

/** The one schema every source of answers (flags, --answers file, prompts) ends in. */
export const answersSchema = z
  .object({
    name: z.string().superRefine((value, ctx) => {
      const problem = nameProblem(value);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
    task: z.enum(tasks).default("classification"),
    ci: z.enum(ciProviders).default("github"),
    /** The profile of the team's data (`new --data`); absent, the diabetes demo. */
    dataset: datasetProfileSchema.optional(),
  })
  .strict()
  .superRefine((answers, ctx) => {
    const profiled = answers.dataset?.target.task;
    const asked = answers.task === "classification" ? "binary" : answers.task;
    if (profiled === undefined && asked === "multiclass") {
      ctx.addIssue({
        code: "custom",
        path: ["task"],
        message: "the demo dataset has no multiclass target: pass --data <file> --target <column>",
      });
    }
    if (profiled !== undefined && answers.task !== "classification" && asked !== profiled) {
      ctx.addIssue({
        code: "custom",
        path: ["task"],
        message: `task ${answers.task} does not match the profiled target (${profiled})`,
      });
    }
  });

export type Answers = z.output<typeof answersSchema>;
export type AnswersInput = z.input<typeof answersSchema>;

/** The profile a project renders from: its own data's, or the demo's for its task. */
export function answersProfile(answers: Answers): DatasetProfile {
  if (answers.dataset) return answers.dataset;
  return answers.task === "regression" ? demoRegressionProfile : demoClassificationProfile;
}

/** Values derived from the answers that templates use; computed once, never by templates. */
export interface TemplateContext extends Answers {
  /** Python import package, the slug with `-` as `_`. */
  readonly package: string;
  /** Prometheus metric prefix. */
  readonly ns: string;
  readonly isClassification: boolean;
  readonly isMulticlass: boolean;
  readonly isRegression: boolean;
  /** The data every file is rendered from: the team's profile, or the demo's. */
  readonly data: DatasetContext;
  /** The project's CI is GitLab's (`.gitlab/`, `.gitlab-ci.yml`) rather than GitHub's. */
  readonly isGitlab: boolean;
  /** InferenceService name and namespace of deploy/kserve: the name, or a short derived one. */
  readonly kserveName: string;
  readonly kserveNamespace: string;
  readonly generatorVersion: string;
  readonly templateVersion: string;
}

export function templateContext(
  answers: Answers,
  versions: { generator: string; template: string },
): TemplateContext {
  const pkg = pythonPackage(answers.name);
  const kserve = kserveNames(answers.name);
  const profile = answersProfile(answers);
  const task = profile.target.task;
  return {
    ...answers,
    package: pkg,
    ns: pkg,
    isClassification: task !== "regression",
    isMulticlass: task === "multiclass",
    isRegression: task === "regression",
    data: datasetContext(profile),
    isGitlab: answers.ci === "gitlab",
    kserveName: kserve.name,
    kserveNamespace: kserve.namespace,
    generatorVersion: versions.generator,
    templateVersion: versions.template,
  };
}
