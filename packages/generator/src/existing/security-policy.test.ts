import fs from "node:fs/promises";
import path from "node:path";
import { testdir } from "@ds-service/test-utils";
import { describe, expect, it } from "vitest";
import { pipRepo } from "../testing/existing-repos.js";
import { addCi } from "./add-ci.js";
import { securityPolicyForExisting } from "./security-policy.js";

// Issue 17, item 4: the policy `add ci` writes claims only what the repository now has.

const claims = [
  /manual approval/,
  /rolled\s+back/,
  /non-root/,
  /DATA_SOURCE/,
  /KUBECONFIG/,
  /every CI\s+or base image to a digest/,
];

describe("SECURITY.md for an existing repository", () => {
  it.each(["github", "gitlab"] as const)(
    "on %s: no deploy, image or service-secret claims",
    async (ci) => {
      const cwd = await testdir(pipRepo);
      await addCi({ cwd, ci });
      const policy = await fs.readFile(path.join(cwd, "SECURITY.md"), "utf8");
      for (const claim of claims) expect(policy).not.toMatch(claim);
      expect(policy).toMatch(/## Reporting a vulnerability/);
      expect(policy).not.toMatch(/## Secrets/); // its only bullets were a service's
      expect(policy).toMatch(
        ci === "github" ? /workflows ds-service added pin/ : /pipeline ds-service added/,
      );
      expect(policy.endsWith("\n") && !policy.endsWith("\n\n")).toBe(true);
    },
  );

  it("refuses a policy whose bullets it no longer recognises, rather than overclaim", () => {
    expect(() => securityPolicyForExisting("# Security\n\n- something else\n", "github")).toThrow(
      /no longer has the bullet/,
    );
  });
});
