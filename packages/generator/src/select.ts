import type { Answers } from "./answers.js";
import type { FileSource } from "./sources.js";

/** Template paths that belong to one CI provider; every other file renders for all answers. */
const ciFiles: Record<Answers["ci"], (source: string) => boolean> = {
  github: (source) => source.startsWith("_github/"),
  gitlab: (source) => source === "_gitlab-ci.yml" || source.startsWith("_gitlab/"),
};

/** Files that only a project fitted to the team's own data (`new --data`) has. */
const dataFiles = new Set([
  "confs/data.yaml.hbs",
  // A SQL source (`source: {query: ...}`) and `make data-snapshot`: the demo has no source.
  "src/__package__/io/sql.py",
  "src/__package__/jobs/snapshot.py",
  "tests/io/test_sql.py.hbs",
  "tests/jobs/test_snapshot.py.hbs",
]);

/** Whether a template file belongs in a project with these answers. */
export function fileApplies(source: string, answers: Pick<Answers, "ci" | "dataset">): boolean {
  if (dataFiles.has(source)) return answers.dataset !== undefined;
  for (const [provider, owns] of Object.entries(ciFiles)) {
    if (owns(source)) return provider === answers.ci;
  }
  return true;
}

/** The sources with only the files these answers select. */
export function selectFiles(
  sources: readonly FileSource[],
  answers: Pick<Answers, "ci" | "dataset">,
): FileSource[] {
  return sources.map((source) => ({
    ...source,
    files: source.files.filter((file) => fileApplies(file.source, answers)),
  }));
}
