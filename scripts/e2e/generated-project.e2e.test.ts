import fs from "node:fs/promises";
import path from "node:path";
import { runCli, testdir } from "@ds-service/test-utils";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { renderHtml } from "./chromium.js";
import { startService } from "./serve.js";

// Every option combination of the template, generated outside the workspace and checked with
// the generated project's own tools — never skipped: a missing tool is a failure.
const tasks = ["classification", "regression"] as const;

const diabetesRow = {
  age: 48.0,
  sex: 2.0,
  bmi: 27.5,
  bp: 94.0,
  s1: 186.0,
  s2: 111.0,
  s3: 46.0,
  s4: 4.0,
  s5: 4.6,
  s6: 92.0,
};

async function make(projectDir: string, target: string) {
  const r = await execa("make", [target], { cwd: projectDir, all: true, reject: false });
  expect(r.exitCode, `make ${target} failed:\n${r.all}`).toBe(0);
  return String(r.all);
}

describe.each(tasks)("generated project (--task %s)", (task) => {
  it("installs, passes its own make check, trains, serves and predicts", async () => {
    const root = await testdir();
    const name = `e2e-${task}`;
    const created = await runCli(["new", name, "--yes", "--task", task], {
      cwd: root,
      env: { CI: "true" },
    });
    expect(created.exitCode, created.stderr).toBe(0);
    const project = path.join(root, name);
    const ns = name.replaceAll("-", "_");

    // The post-steps ran for real: a lockfile, a virtualenv, one clean commit.
    await fs.access(path.join(project, "uv.lock"));
    await fs.access(path.join(project, ".venv"));
    expect((await execa("git", ["status", "--porcelain"], { cwd: project })).stdout).toBe("");

    const check = await make(project, "check");
    expect(check).toMatch(/\d+ passed/);
    expect(check).not.toMatch(/\d+ (failed|error)/);

    await make(project, "train");
    const metadata = JSON.parse(
      await fs.readFile(path.join(project, "artifacts/metadata.json"), "utf8"),
    );
    expect(metadata.task).toBe(task);

    // The ML Test Score, computed by the project from its own tests and CI wiring.
    await make(project, "score");
    const score = JSON.parse(
      await fs.readFile(path.join(project, "reports/ml_test_score.json"), "utf8"),
    ) as { sections: Record<string, number>; score: number; tests: Record<string, unknown> };
    expect(Object.keys(score.tests)).toHaveLength(28);
    expect(score.sections.data).toBeGreaterThan(5);
    expect(score.sections.model).toBeGreaterThan(5);
    expect(score.sections.infrastructure).toBeGreaterThan(5);
    expect(score.sections.monitoring).toBeGreaterThan(5);
    expect(score.score).toBe(Math.min(...Object.values(score.sections)));

    // The evaluation report renders in a real browser with every plot decoded.
    await make(project, "report");
    const rendered = await renderHtml(path.join(project, "reports/evaluation/index.html"));
    expect(rendered.dom).toContain('id="metrics"');
    expect(rendered.images).toBe(task === "classification" ? 6 : 4);
    expect(rendered.loadedImages).toBe(rendered.images);
    await fs.access(path.join(project, "artifacts/MODEL_CARD.md"));

    const explained = await execa("make", ["explain", `ROW=${JSON.stringify(diabetesRow)}`], {
      cwd: project,
      all: true,
      reject: false,
    });
    expect(explained.exitCode, String(explained.all)).toBe(0);
    expect(explained.stdout).toContain("contributions (largest first):");

    await make(project, "backtest");
    const backtest = JSON.parse(
      await fs.readFile(path.join(project, "reports/backtest.json"), "utf8"),
    ) as { curve: unknown[]; ordering: string };
    expect(backtest.curve.length).toBeGreaterThan(0);
    expect(backtest.ordering).toContain("no time column");

    // `make tune` finds exactly what the project ships in confs/tuned.yaml: the tree stays clean.
    await make(project, "tune");
    expect((await execa("git", ["status", "--porcelain"], { cwd: project })).stdout).toBe("");

    const service = await startService(project);
    try {
      const get = async (route: string) => {
        const res = await fetch(`${service.baseUrl}${route}`);
        return { status: res.status, text: await res.text() };
      };
      expect((await get("/v2/health/live")).status).toBe(200);
      expect((await get("/v2/health/ready")).status).toBe(200);
      const model = await get(`/v2/models/${name}`);
      expect(model.status).toBe(200);
      expect(JSON.parse(model.text).name).toBe(name);

      const inputs = Object.entries(diabetesRow).map(([feature, value]) => ({
        name: feature,
        shape: [1],
        datatype: "FP64",
        data: [value],
      }));
      const infer = await fetch(`${service.baseUrl}/v2/models/${name}/infer`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ id: "e2e-1", inputs }),
      });
      const inferBody = (await infer.json()) as {
        model_name: string;
        id: string;
        outputs: { data: unknown[] }[];
      };
      expect(infer.status, JSON.stringify(inferBody)).toBe(200);
      expect(inferBody.model_name).toBe(name);
      expect(inferBody.id).toBe("e2e-1");
      const outputData = inferBody.outputs[0]?.data ?? [];
      expect(outputData).toHaveLength(1);

      const predict = await fetch(`${service.baseUrl}/predict`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ instances: [diabetesRow, { ...diabetesRow, bmi: 35.1 }] }),
      });
      const predictBody = (await predict.json()) as { predictions: number[] };
      expect(predict.status, JSON.stringify(predictBody)).toBe(200);
      expect(predictBody.predictions).toHaveLength(2);
      for (const p of predictBody.predictions) expect(Number.isFinite(p)).toBe(true);
      if (task === "classification") {
        for (const p of predictBody.predictions) expect([0, 1]).toContain(p);
      }
      // The protocol route and the convenience route answer the same for the same row.
      expect(predictBody.predictions[0]).toBe(outputData[0]);

      const bad = await fetch(`${service.baseUrl}/predict`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ instances: [{ ...diabetesRow, bmi: "fat" }] }),
      });
      expect(bad.status).toBeGreaterThanOrEqual(400);
      expect(bad.status).toBeLessThan(500);
      expect(await bad.json()).toHaveProperty("error");

      const metrics = await get("/metrics");
      expect(metrics.status).toBe(200);
      expect(metrics.text).toContain(`${ns}_`);
    } finally {
      await service.stop();
    }
  });
});
