import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { checkDashboards } from "./grafana-schema.js";
import { render } from "./render.js";

// The Grafana dashboard the pack renders, held to Grafana's schema types and to the alert
// rules: the dashed line on a panel is the alert's threshold, read from rules.yaml here.
interface Target {
  expr: string;
  format?: string;
}
interface Panel {
  type: string;
  title: string;
  id: number;
  description?: string;
  gridPos: { x: number; y: number; w: number; h: number };
  links?: { url: string }[];
  targets?: Target[];
  fieldConfig?: {
    defaults: {
      thresholds?: { mode: string; steps: { color: string; value: number | null }[] };
      custom?: { thresholdsStyle?: { mode: string } };
    };
  };
}
interface Rule {
  alert?: string;
  expr: string;
  annotations?: { runbook_url: string };
}

const rendered = render();
const text = rendered.get("monitoring/grafana/dashboard.json") ?? "";
const dashboard = JSON.parse(text) as {
  panels: Panel[];
  templating: { list: { name: string; query?: string }[] };
};
const panels = dashboard.panels.filter((p) => p.type !== "row");
const rules = (
  parse(rendered.get("monitoring/prometheus/rules.yaml") ?? "") as { groups: { rules: Rule[] }[] }
).groups.flatMap((g) => g.rules);
const alerts = rules.filter((r): r is Rule & { alert: string } => r.alert !== undefined);
const compact = (expr: string) => expr.replace(/\s+/g, "");

/** Splits at a top-level ` or `: `a > 1 or (b or c) > 2` → [`a > 1`, `(b or c) > 2`]. */
function branches(expr: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (c === "(" || c === "{" || c === "[") depth++;
    else if (c === ")" || c === "}" || c === "]") depth--;
    else if (depth === 0 && /^\sor\s/.test(expr.slice(i, i + 4))) {
      out.push(expr.slice(start, i));
      start = i + 4;
    }
  }
  return [...out, expr.slice(start)].map((b) => b.trim());
}

/** Each `<series> > <number>` or `== <number>` condition of every alert; products allowed. */
const conditions = alerts.flatMap((rule) =>
  branches(rule.expr).flatMap((branch) => {
    const m = /^([\s\S]*?)\s*(>|==)\s*([0-9.eE+]+(?:\s*\*\s*[0-9.eE+]+)*)$/.exec(branch);
    if (m === null) return [];
    const value = (m[3] ?? "").split("*").reduce((acc, f) => acc * Number(f), 1);
    const runbook = rule.annotations?.runbook_url ?? "";
    return [{ alert: rule.alert, series: compact(m[1] ?? ""), op: m[2], value, runbook }];
  }),
);

const runbookBase = dashboard.templating.list.find((v) => v.name === "runbook_base")?.query;
const linked = (panel: Panel) =>
  (panel.links ?? []).map((l) => l.url.replace(/^\$\{runbook_base\}/, `${runbookBase}`));
const shows = (panel: Panel, series: string) =>
  (panel.targets ?? []).some((t) => compact(t.expr) === series);

/** The expression with every `histogram_quantile(...)` call cut out. */
function withoutQuantiles(expr: string): string {
  let out = expr;
  for (
    let at = out.indexOf("histogram_quantile(");
    at >= 0;
    at = out.indexOf("histogram_quantile(")
  ) {
    let depth = 0;
    let end = at + "histogram_quantile".length;
    do {
      if (out[end] === "(") depth++;
      if (out[end] === ")") depth--;
      end++;
    } while (depth > 0 && end < out.length);
    out = out.slice(0, at) + out.slice(end);
  }
  return out;
}

describe("the Grafana dashboard", () => {
  it("type-checks against @grafana/schema, and the check catches wrong fields", () => {
    const mutant = (edit: (d: { panels: Panel[] & Record<string, unknown>[] }) => void) => {
      const copy = JSON.parse(text);
      edit(copy);
      return copy;
    };
    const timeseries = panels.findIndex(
      (p) => p.type === "timeseries" && p.fieldConfig?.defaults.thresholds,
    );
    const heatmap = panels.findIndex((p) => p.type === "heatmap");
    const at = (i: number) => dashboard.panels.indexOf(panels[i] as Panel);
    const result = checkDashboards({
      rendered: dashboard,
      descriptionNumber: mutant((d) => {
        d.panels[at(timeseries)].description = 42;
      }),
      thresholdsMode: mutant((d) => {
        d.panels[at(timeseries)].fieldConfig.defaults.thresholds.mode = "absolutely";
      }),
      thresholdsStyle: mutant((d) => {
        d.panels[at(timeseries)].fieldConfig.defaults.custom.thresholdsStyle.mode = "dotted";
      }),
      misspeltCustomKey: mutant((d) => {
        d.panels[at(timeseries)].fieldConfig.defaults.custom.thresholdStyle = { mode: "line" };
      }),
      misspeltKey: mutant((d) => {
        d.panels[at(timeseries)].descripton = "typo";
      }),
      heatmapCalculate: mutant((d) => {
        d.panels[at(heatmap)].options.calculate = "no";
      }),
      linkWithoutTitle: mutant((d) => {
        delete d.panels[at(timeseries)].links[0].title;
      }),
    });
    expect(result.rendered).toEqual([]);
    const expected: Record<string, RegExp> = {
      descriptionNumber: /'number' is not assignable to type 'string'/,
      thresholdsMode: /"absolutely"' is not assignable to type '"absolute" \| "percentage"'/,
      thresholdsStyle: /"dotted"' is not assignable to type/,
      misspeltCustomKey: /'"thresholdStyle"' does not exist/,
      misspeltKey: /'"descripton"' does not exist/,
      heatmapCalculate: /'string' is not assignable to type 'boolean/,
      linkWithoutTitle: /Property 'title' is missing/,
    };
    for (const [name, message] of Object.entries(expected))
      expect(result[name]?.join("\n"), name).toMatch(message);
  }, 60_000); // one TypeScript program for all eight: a few seconds, more on a busy machine

  it("describes every panel and links it to a runbook that exists", () => {
    expect(panels.length).toBeGreaterThanOrEqual(20);
    expect(runbookBase).toBe("docs/runbooks");
    for (const panel of panels) {
      expect(panel.description?.length ?? 0, panel.title).toBeGreaterThan(80);
      expect(linked(panel).length, panel.title).toBeGreaterThan(0);
      for (const url of linked(panel))
        expect(rendered.has(url), `${panel.title}: ${url}`).toBe(true);
    }
  });

  it("shows every alert's series, with a dashed line at the rule's threshold", () => {
    expect(conditions.map((c) => c.alert)).toEqual([
      "ModelServiceHighErrorRate",
      "ModelServiceHighLatency",
      "ModelServiceHighMemory",
      "ModelFeatureDrift",
      "ModelFeatureDrift",
      "ModelFeatureDrift",
      "ModelFeatureNullRate",
      "ModelPredictionDrift",
      "ModelInputValidationFailures",
      "ModelStale",
      "ModelNonFinitePredictions",
      "ModelServiceNoTraffic",
      "ModelNotReady",
      "ModelBatchRejectedRows",
      "ModelBatchFeatureDrift",
      "ModelBatchNotSucceeding",
    ]);
    for (const c of conditions) {
      const panel = panels.find((p) => shows(p, c.series));
      expect(panel, `${c.alert}: no panel queries ${c.series}`).toBeDefined();
      if (panel === undefined) continue;
      expect(linked(panel), panel.title).toContain(c.runbook);
      if (c.op !== ">") continue;
      const defaults = panel.fieldConfig?.defaults;
      expect(defaults?.thresholds?.mode, panel.title).toBe("absolute");
      const steps = defaults?.thresholds?.steps.map((s) => s.value) ?? [];
      expect(steps, `${panel.title} vs ${c.alert}`).toEqual([null, c.value]);
      expect(defaults?.custom?.thresholdsStyle?.mode, panel.title).toMatch(/^(line|dashed)/);
    }
    // And no threshold line on a panel that shows no alert's series.
    for (const panel of panels.filter((p) => p.fieldConfig?.defaults.thresholds)) {
      const drawn = panel.fieldConfig?.defaults.custom?.thresholdsStyle?.mode ?? "off";
      const alerted = conditions.some((c) => shows(panel, c.series));
      expect(drawn === "off" || alerted, `${panel.title} draws a line no alert uses`).toBe(true);
    }
  });

  it("draws histograms as heatmaps or quantiles, never as cumulative bucket lines", () => {
    const contract = rendered.get("monitoring/metrics.yaml") ?? "";
    const histograms = [...contract.matchAll(/name: (\w+)\n\s+type: histogram/g)].map((m) => m[1]);
    expect(histograms.length).toBe(3);
    for (const panel of panels) {
      for (const target of panel.targets ?? []) {
        if (panel.type === "heatmap") {
          expect(target.format, panel.title).toBe("heatmap");
          expect(target.expr, panel.title).toMatch(
            /^sum by \(le\) \(rate\(\w+_bucket(\{[^}]*\})?\[\$__rate_interval\]\)\)$/,
          );
        } else {
          expect(withoutQuantiles(target.expr), `${panel.title}: ${target.expr}`).not.toContain(
            "_bucket",
          );
        }
      }
    }
    for (const name of histograms) {
      const heatmap = panels.find(
        (p) => p.type === "heatmap" && p.targets?.some((t) => t.expr.includes(`${name}_bucket`)),
      );
      expect(heatmap, `${name} has no heatmap`).toBeDefined();
    }
  });

  it("lays panels out on Grafana's 24-column grid without overlaps", () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Set<string>();
    for (const { gridPos: g, title } of dashboard.panels) {
      expect(g.x + g.w, title).toBeLessThanOrEqual(24);
      for (let x = g.x; x < g.x + g.w; x++)
        for (let y = g.y; y < g.y + g.h; y++) {
          expect(cells.has(`${x},${y}`), `${title} overlaps at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
    }
  });
});
