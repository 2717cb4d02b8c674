import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { parseAnswers, planProject } from "./generate.js";
import { kserveDerivedLabels, kserveNameMax, kserveNames } from "./kserve-names.js";
import { nameProblem } from "./names.js";
import { validName } from "./valid-name.js";

// A DNS-1035 label: what Kubernetes Services, Knative Services and each host label must be.
const dnsLabel = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const longest = [`a${"b".repeat(53)}c`, `a${"-b".repeat(27)}`];

function expectAllFit(projectName: string): void {
  for (const label of kserveDerivedLabels(kserveNames(projectName))) {
    expect(label, `${label} (from ${projectName})`).toMatch(dnsLabel);
  }
}

describe("kserveNames", () => {
  it("keeps a name whose derived names fit, in the prod namespace", () => {
    expect(kserveNameMax).toBe(23);
    expect(kserveNames("churn-model")).toEqual({
      name: "churn-model",
      namespace: "churn-model-prod",
    });
    const edge = "x".repeat(23);
    expect(kserveNames(edge)).toEqual({ name: edge, namespace: `${edge}-prod` });
    // 2 × 23 + "-predictor-" + "-prod" = 62: the raw-mode predictor host label just fits.
    expect(`${edge}-predictor-${edge}-prod`.length).toBe(62);
  });

  it("shortens a longer name to a prefix and a hash, the same every time", () => {
    const name = "customer-lifetime-value-model";
    const short = kserveNames(name);
    expect(short.name).toMatch(/^customer-lifet-[0-9a-f]{8}$/);
    expect(short.namespace).toBe(`${short.name}-prod`);
    expect(kserveNames(name)).toEqual(short);
    // Two names that share the prefix still get different names.
    expect(kserveNames(`${name}-v2`).name).not.toBe(short.name);
  });

  it("never ends the prefix with a dash", () => {
    expect(kserveNames(`abcdefghijklm-${"x".repeat(20)}`).name).toMatch(
      /^abcdefghijklm-[0-9a-f]{8}$/,
    );
  });

  it.each(longest)("fits every name KServe and Knative derive for the longest name %s", (name) => {
    expect(nameProblem(name)).toBeUndefined();
    expectAllFit(name);
  });

  it("fits every derived name for every valid project name", () => {
    fc.assert(
      fc.property(validName, (name) => expectAllFit(name)),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z][-a-z0-9]{0,54}$/).filter((n) => nameProblem(n) === undefined),
        (name) => expectAllFit(name),
      ),
      { numRuns: 2000 },
    );
  });
});

describe("deploy/kserve in a generated project", () => {
  it.each(longest)("for the longest name %s, the manifest's names fit", async (name) => {
    const plan = await planProject(parseAnswers({ name }), "/nonexistent/kserve");
    const text = (rel: string) => plan.get(rel)?.content.toString("utf8") ?? "";
    const isvc = parse(text("deploy/kserve/inferenceservice.yaml")) as {
      metadata: { name: string };
      spec: { predictor: { canaryTrafficPercent?: number } };
    };
    const kustomization = parse(text("deploy/kserve/kustomization.yaml")) as {
      namespace: string;
      resources: string[];
    };
    const [namespace] = parseAllDocuments(text("deploy/kserve/namespace.yaml")).map(
      (doc) => doc.toJSON() as { kind: string; metadata: { name: string } },
    );
    const names = { name: isvc.metadata.name, namespace: kustomization.namespace };
    expect(names).toEqual(kserveNames(name));
    expect(isvc.metadata.name).not.toBe(name);
    expect(isvc.spec.predictor.canaryTrafficPercent).toBeGreaterThan(0);
    // The kustomization creates the namespace it deploys into.
    expect(kustomization.resources).toContain("namespace.yaml");
    expect(namespace).toMatchObject({ kind: "Namespace", metadata: { name: names.namespace } });
    for (const label of kserveDerivedLabels(names)) expect(label).toMatch(dnsLabel);
  });

  it("keeps a short project's name and its prod namespace", async () => {
    const plan = await planProject(parseAnswers({ name: "churn-model" }), "/nonexistent/kserve");
    const text = (rel: string) => plan.get(rel)?.content.toString("utf8") ?? "";
    expect(text("deploy/kserve/inferenceservice.yaml")).toMatch(/^ {2}name: churn-model$/m);
    expect(text("deploy/kserve/kustomization.yaml")).toMatch(/^namespace: churn-model-prod$/m);
    expect(text("deploy/kserve/namespace.yaml")).toMatch(/^ {2}name: churn-model-prod$/m);
  });
});
