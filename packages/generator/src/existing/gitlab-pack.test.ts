import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { besideStageFor, includeBeside, renderGitlabBeside, renderGitlabCi } from "./ci-pack.js";

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

describe("--beside on GitLab", () => {
  it("gives the image job the pack's defaults, its buildah template and the renamed check", () => {
    const jobs = parse(renderGitlabBeside(commands, { imageJob: true, stage: "test" })) as Record<
      string,
      { stage?: string; extends?: string[]; needs?: string[] }
    >;
    expect(Object.keys(jobs).sort()).toEqual([
      ".ds-service-buildah",
      ".ds-service-defaults",
      "ds-service-build-image",
      "ds-service-check",
    ]);
    expect(jobs["ds-service-build-image"]).toMatchObject({
      stage: "test",
      extends: [".ds-service-defaults", ".ds-service-buildah"],
      needs: ["ds-service-check"],
    });
  });

  it.each([
    [undefined, "test"],
    [["build", "test", "deploy"], "test"],
    [[".pre", "lint", "build"], "lint"],
  ])("takes a stage the pipeline has (stages %j: %s)", (stages, stage) => {
    expect(besideStageFor(stages)).toBe(stage);
  });

  it.each([
    [
      "an include list",
      "include:\n  # shared\n  - project: a/b\n    file: x.yml\njob:\n  script: [a]\n",
      "include:\n  # shared\n  - local: .gitlab/ds-service-ci.yml\n  - project: a/b\n    file: x.yml\njob:\n  script: [a]\n",
    ],
    [
      "one included file",
      "include: a.yml\njob:\n  script: [a]\n",
      "include:\n  - a.yml\n  - local: .gitlab/ds-service-ci.yml\njob:\n  script: [a]\n",
    ],
  ])("adds the pack's file to %s", (_, before, after) => {
    expect(includeBeside(before)).toBe(after);
    expect(includeBeside(after)).toBe(after);
  });
});
