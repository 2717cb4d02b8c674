/**
 * SECURITY.md for a repository ds-service did not generate: config-ci's policy says what a
 * generated service has (SHA-pinned actions everywhere, approved and reversible deploys, a
 * non-root image, its secrets). Copied as is, it claimed all that for repositories that have
 * none of it. Here the hardening section speaks only of the workflows `add ci` wrote, and
 * the claims about deploys, the image and a service's secrets go.
 */

/** Bullets of config-ci's policy that describe a generated service, not this repository. */
const serviceOnly = [
  /^- Production deploys need a manual approval/,
  /^- The container image runs as/,
  /^- `DATA_SOURCE`/,
  /^- `MLFLOW_TRACKING_TOKEN`/,
  /^- `KUBECONFIG`/,
];

/** Its first hardening bullet, about every action and image in the repository. */
const pinningClaim = /^- Every CI action is pinned/;

export function securityPolicyForExisting(policy: string, provider: "github" | "gitlab"): string {
  const blocks = bullets(policy);
  for (const pattern of [...serviceOnly, pinningClaim]) {
    // config-ci's text changed under us: fail here rather than ship a policy that overclaims.
    if (!blocks.some((b) => pattern.test(b)))
      throw new Error(`config-ci's SECURITY.md no longer has the bullet ${pattern}`);
  }
  const pinned =
    provider === "github"
      ? "- The CI workflows ds-service added pin every action to a full commit SHA (its version\n" +
        "  in a comment); dependabot proposes updates after a 7-day cooldown. Other workflows\n" +
        "  in this repository are its own.\n"
      : "- The pipeline ds-service added runs in a python image pinned by digest where one is\n" +
        "  known (its line says so otherwise); Renovate proposes updates after a 7-day\n" +
        "  minimum release age.\n";
  const kept = blocks
    .filter((b) => !serviceOnly.some((p) => p.test(b)))
    .map((b) => (pinningClaim.test(b) ? pinned : theAddedCi(b)));
  return withoutEmptySections(kept.join(""));
}

/** config-ci speaks of "Pipelines", all of them; here only the added CI is ours to describe. */
function theAddedCi(block: string): string {
  return block.replace(
    /^- Pipelines start (.*?) and grant /s,
    "- The added CI starts $1 and grants ",
  );
}

/** The text cut before each top-level bullet and heading; continuation lines stay with it. */
function bullets(text: string): string[] {
  return text.split(/(?=^- |^#)/m);
}

/** Drops a `## heading` left with nothing under it. */
function withoutEmptySections(text: string): string {
  return text.replace(/^## [^\n]*\n\s*(?=^## |(?![\s\S]))/gm, "").replace(/\n+$/, "\n");
}
