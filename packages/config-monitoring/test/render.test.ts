import { describe, expect, it } from "vitest";
// The built package, exactly as the generator consumes it (turbo builds before testing).
import { files } from "../dist/index.js";
import { render } from "./render.js";

describe("@ds-service/config-monitoring", () => {
  const rendered = render();
  const rules = rendered.get("monitoring/prometheus/rules.yaml") ?? "";
  const contract = rendered.get("monitoring/metrics.yaml") ?? "";
  const declared = new Set([...contract.matchAll(/name: (churn_model_\w+)/g)].map((m) => m[1]));

  it("owns every file it ships (upgrades replace them)", () => {
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) expect(file.ownership, file.source).toBe("managed");
  });

  it("names every metric in the contract with the project's namespace", () => {
    expect(declared.size).toBeGreaterThanOrEqual(15);
    expect(declared).toContain("churn_model_feature_drift_score");
    expect(contract).not.toMatch(/\{\{|\}\}/);
  });

  it("gives every alert a runbook that exists and names it", () => {
    const alerts = [...rules.matchAll(/- alert: (\w+)/g)].map((m) => m[1] ?? "");
    expect(alerts).toHaveLength(14);
    const links = [...rules.matchAll(/runbook_url: (\S+)/g)].map((m) => m[1] ?? "");
    expect(links).toHaveLength(alerts.length);
    links.forEach((link, i) => {
      expect(rendered.get(link), link).toContain(alerts[i]);
    });
  });

  it("keeps Prometheus' own templates literal in rules and Grafana's in the dashboard", () => {
    expect(rules).toContain("{{ $labels.feature }}");
    const dashboard = JSON.parse(rendered.get("monitoring/grafana/dashboard.json") ?? "");
    const rows = dashboard.panels.filter((p: { type: string }) => p.type === "row");
    expect(rows.map((r: { title: string }) => r.title)).toEqual([
      "Service health",
      "Inference",
      "Data quality and drift",
      "Prediction distribution",
      "Batch runs",
    ]);
    const exprs: string[] = dashboard.panels.flatMap(
      (p: { targets?: { expr: string }[] }) => p.targets?.map((t) => t.expr) ?? [],
    );
    expect(exprs.length).toBe(38);
    for (const expr of exprs) {
      const raw = [...expr.matchAll(/churn_model_[a-z_]+/g)].map((m) =>
        m[0].replace(/_(bucket|count|sum)$/, ""),
      );
      expect(raw.length + (expr.includes("churn_model:") ? 1 : 0), expr).toBeGreaterThan(0);
      for (const name of raw) expect(declared, `${name} in ${expr}`).toContain(name);
    }
  });
});
