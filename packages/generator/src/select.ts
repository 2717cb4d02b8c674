import type { Answers } from "./answers.js";
import type { FileSource } from "./sources.js";

/** Template paths that belong to one CI provider; every other file renders for all answers. */
const ciFiles: Record<Answers["ci"], (source: string) => boolean> = {
  github: (source) => source.startsWith("_github/"),
  gitlab: (source) => source === "_gitlab-ci.yml" || source.startsWith("_gitlab/"),
};

/** Whether a template file belongs in a project with these answers. */
export function fileApplies(source: string, answers: Pick<Answers, "ci">): boolean {
  for (const [provider, owns] of Object.entries(ciFiles)) {
    if (owns(source)) return provider === answers.ci;
  }
  return true;
}

/** The sources with only the files these answers select. */
export function selectFiles(
  sources: readonly FileSource[],
  answers: Pick<Answers, "ci">,
): FileSource[] {
  return sources.map((source) => ({
    ...source,
    files: source.files.filter((file) => fileApplies(file.source, answers)),
  }));
}
