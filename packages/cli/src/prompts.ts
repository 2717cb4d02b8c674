import {
  CancelledError,
  nameProblem,
  type Task,
  taskDescriptions,
  tasks,
} from "@ds-service/generator";

/** The questions `new` may ask; injected so tests answer them without a terminal. */
export interface Prompter {
  directory(): Promise<string>;
  name(defaultName: string): Promise<string>;
  task(): Promise<Task>;
  /** The team's own data file and target column, or undefined for the diabetes demo. */
  data(): Promise<{ file: string; target: string } | undefined>;
}

/** @inquirer/prompts, loaded only when a person is there to answer. */
export function inquirerPrompter(): Prompter {
  const load = () => import("@inquirer/prompts");
  return {
    directory: () =>
      cancellable(async () =>
        (await load()).input({
          message: "Where should the project go?",
          default: "my-model",
          validate: (v) => v.trim().length > 0 || "a directory is required",
        }),
      ),
    name: (defaultName) =>
      cancellable(async () =>
        (await load()).input({
          message: "Project name (npm, PyPI, Python and Kubernetes safe)",
          default: defaultName,
          validate: (v) => nameProblem(v) ?? true,
        }),
      ),
    task: () =>
      cancellable(async () =>
        (await load()).select<Task>({
          message: "What does the model predict?",
          choices: tasks.map((t) => ({ value: t, name: t, description: taskDescriptions[t] })),
        }),
      ),
    data: () =>
      cancellable(async () => {
        const { input } = await load();
        const file = await input({
          message: "Your data file (CSV or Parquet), or empty for the built-in demo",
          default: "",
        });
        if (file.trim() === "") return undefined;
        const target = await input({
          message: "Which column should the model predict?",
          validate: (v) => v.trim().length > 0 || "a column name is required",
        });
        return { file: file.trim(), target: target.trim() };
      }),
  };
}

/** Ctrl-C in a prompt rejects with ExitPromptError: that is a cancel, exit 130, not a crash. */
async function cancellable<T>(ask: () => Promise<T>): Promise<T> {
  try {
    return await ask();
  } catch (error) {
    if (error instanceof Error && error.name === "ExitPromptError") {
      throw new CancelledError("cancelled: nothing was written");
    }
    throw error;
  }
}
