import * as z from "zod";
import { kserveNames } from "./kserve-names.js";
import { nameProblem } from "./names.js";

/** The tasks the template supports; drives the schema, the `--task` flag and the prompt. */
export const tasks = ["classification", "regression"] as const;
export type Task = (typeof tasks)[number];

export const taskDescriptions: Record<Task, string> = {
  classification: "predict whether disease progression is above the median (0/1)",
  regression: "predict disease progression (a number)",
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
  })
  .strict();

export type Answers = z.output<typeof answersSchema>;
export type AnswersInput = z.input<typeof answersSchema>;

/** Values derived from the answers that templates use; computed once, never by templates. */
export interface TemplateContext extends Answers {
  /** Python import package, the slug with `-` as `_`. */
  readonly package: string;
  /** Prometheus metric prefix. */
  readonly ns: string;
  readonly isClassification: boolean;
  readonly isRegression: boolean;
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
  const pkg = answers.name.replaceAll("-", "_");
  const kserve = kserveNames(answers.name);
  return {
    ...answers,
    package: pkg,
    ns: pkg,
    isClassification: answers.task === "classification",
    isRegression: answers.task === "regression",
    isGitlab: answers.ci === "gitlab",
    kserveName: kserve.name,
    kserveNamespace: kserve.namespace,
    generatorVersion: versions.generator,
    templateVersion: versions.template,
  };
}
