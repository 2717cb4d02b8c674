import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderGitlabCi } from "./ci-pack.js";

// The GitLab pipeline `add ci` writes for a repository that is not a generated service: only
// the jobs whose commands exist there, and every `extends` still names a job of the file.
const commands = { uv: true, pythonVersion: "3.11", setup: "uv sync", check: "uv run pytest" };

type Job = { stage?: string; extends?: string; needs?: string[] };

function pipeline(imageJob: boolean): Record<string, Job> {
  return parse(renderGitlabCi(commands, { imageJob })) as Record<string, Job>;
}

describe("renderGitlabCi", () => {
  it.each([true, false])("keeps only this repository's jobs (image job: %s)", (imageJob) => {
    const ci = pipeline(imageJob);
    const jobs = Object.keys(ci).filter((name) => ci[name]?.stage);
    expect(jobs.sort()).toEqual(imageJob ? ["build-image", "check", "train"] : ["check", "train"]);
    for (const [name, job] of Object.entries(ci)) {
      if (job?.extends) expect(Object.keys(ci), name).toContain(job.extends);
    }
    // Hidden jobs only as templates of a job that is left.
    const hidden = Object.keys(ci).filter((name) => name.startsWith("."));
    expect(hidden).toEqual(imageJob ? [".buildah"] : []);
    if (imageJob) expect(ci["build-image"]?.needs).toEqual(["check"]);
  });
});
