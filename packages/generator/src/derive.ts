import type { Plan } from "./plan.js";

/** Prometheus rules as promtool checks them (@ds-service/config-monitoring writes this). */
export const monitoringRulesPath = "monitoring/prometheus/rules.yaml";
/** The PrometheusRule the kustomize base deploys (@ds-service/config-deploy writes this). */
export const prometheusRulePath = "deploy/k8s/base/prometheusrule.yaml";

/**
 * One source of alerts: when the project has Prometheus rules of its own, the deployed
 * PrometheusRule is derived from them (the rules file's `groups:` becomes the resource's
 * `spec`), so the alerts promtool tests are exactly the alerts deployed. Without a rules file
 * the deploy pack's own service-level alerts stay. Changes the plan in place.
 */
export function derivePrometheusRule(plan: Plan, name: string): void {
  const rules = plan.get(monitoringRulesPath);
  const target = plan.get(prometheusRulePath);
  if (!rules || !target) return;
  const text = rules.content.toString("utf8");
  const keys = text.split("\n").filter((line) => /^[^\s#-][^:]*:/.test(line));
  if (keys.length !== 1 || !keys[0]?.startsWith("groups:")) {
    throw new Error(`${monitoringRulesPath} must hold one top-level key, groups:`);
  }
  const spec = text
    .split("\n")
    .map((line) => (line.trim() === "" ? "" : `  ${line}`))
    .join("\n")
    .trimEnd();
  const content = [
    `# Derived from ${monitoringRulesPath} by ds-service: edit that file, not this one.`,
    "apiVersion: monitoring.coreos.com/v1",
    "kind: PrometheusRule",
    "metadata:",
    `  name: ${name}`,
    "spec:",
    spec,
    "",
  ].join("\n");
  plan.set(prometheusRulePath, { ...target, content: Buffer.from(content, "utf8") });
}
