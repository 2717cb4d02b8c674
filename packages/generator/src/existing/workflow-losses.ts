import { safeDocuments } from "./repo-files.js";

/** What a CI file does, as far as replacing it can lose it. */
interface CiFacts {
  /** Job names as status checks report them (GitHub: `name`, else the job id; GitLab: the key). */
  readonly jobs: Set<string>;
  /** Each shell command line the jobs run (`run:` / `script:`), whitespace collapsed. */
  readonly commands: Set<string>;
  /** Each action used (`uses:`), without its version: `gitleaks/gitleaks-action`. */
  readonly actions: Set<string>;
}

// GitLab's top-level keywords: every other top-level mapping with a script is a job.
const gitlabKeywords = new Set([
  "default",
  "include",
  "stages",
  "variables",
  "workflow",
  "image",
  "services",
  "cache",
  "before_script",
  "after_script",
]);

const commandLines = (value: unknown): string[] => {
  if (typeof value === "string")
    return value
      .split("\n")
      .map((line) => line.replace(/\s+/g, " ").trim())
      .filter((line) => line !== "" && !line.startsWith("#"));
  if (Array.isArray(value)) return value.flatMap(commandLines);
  return [];
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The jobs, commands and actions of a GitHub workflow or a GitLab pipeline. */
function ciFacts(text: string): CiFacts {
  const facts: CiFacts = { jobs: new Set(), commands: new Set(), actions: new Set() };
  for (const doc of safeDocuments(text)) {
    const root: unknown = doc.toJS();
    if (!isRecord(root)) continue;
    const github = isRecord(root.jobs) ? root.jobs : undefined;
    const jobs = github ?? root;
    for (const [id, job] of Object.entries(jobs)) {
      if (!isRecord(job)) continue;
      if (github === undefined && (gitlabKeywords.has(id) || id.startsWith("."))) continue;
      if (github === undefined && job.script === undefined) continue;
      facts.jobs.add(github !== undefined && typeof job.name === "string" ? job.name : id);
      const steps = Array.isArray(job.steps) ? job.steps.filter(isRecord) : [];
      for (const step of steps) {
        for (const line of commandLines(step.run)) facts.commands.add(line);
        if (typeof step.uses === "string") facts.actions.add(step.uses.replace(/@.*$/, ""));
      }
      for (const key of ["before_script", "script", "after_script"])
        for (const line of commandLines(job[key])) facts.commands.add(line);
    }
  }
  return facts;
}

/**
 * What the CI file being replaced does that its replacement does not, one line each: job names
 * that stop reporting (a branch ruleset requiring them would block every merge), commands no
 * longer run and actions no longer used. Empty when nothing is lost or the file is no CI file.
 */
export function workflowLosses(current: string, planned: string): string[] {
  const before = ciFacts(current);
  const after = ciFacts(planned);
  const gone = (from: Set<string>, into: Set<string>) => [...from].filter((x) => !into.has(x));
  return [
    ...gone(before.jobs, after.jobs).map(
      (job) =>
        `job "${job}" no longer reports (a required status check by that name would block merges)`,
    ),
    ...gone(before.commands, after.commands).map((command) => `no longer runs: ${command}`),
    ...gone(before.actions, after.actions).map((action) => `no longer uses: ${action}`),
  ];
}

/** Whether a path is a CI definition whose replacement can drop checks. */
export function isCiFile(path: string): boolean {
  return /^\.github\/workflows\/[^/]+\.ya?ml$/.test(path) || path === ".gitlab-ci.yml";
}
