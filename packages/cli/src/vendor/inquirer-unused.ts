/**
 * Stands in for `inquirer` inside the bundled node-plop. ds-service asks its questions with
 * @inquirer/prompts before generation and never calls plop's prompt runner, so reaching this is
 * a bug in ds-service, reported loudly rather than by a silently missing prompt.
 */
function unused(): never {
  throw new Error("internal error: node-plop prompts are not used by ds-service");
}

const prompt = Object.assign(unused, { prompts: {} as Record<string, unknown> });

export default { prompt, registerPrompt: unused, createPromptModule: unused };
