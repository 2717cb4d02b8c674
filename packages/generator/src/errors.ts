/**
 * Typed errors, thrown anywhere and turned into an exit code once, at the CLI edge. One exit code
 * per kind, so a script can tell "look at what it found" from "it broke":
 *   0 ok · 1 findings · 2 usage or validation · 3 a tool it ran failed · 70 internal error ·
 *   75 busy (another command holds the lock) · 130 cancelled. Anything untyped is internal
 *   (70, "please report"); 70 and 75 are sysexits' EX_SOFTWARE and EX_TEMPFAIL.
 */
export const exitCodes = {
  ok: 0,
  findings: 1,
  validation: 2,
  step: 3,
  internal: 70,
  busy: 75,
  cancelled: 130,
} as const;

export class DsServiceError extends Error {
  readonly exitCode: number = exitCodes.internal;
}

/** The command finished and found something for a person: conflicts, drift. */
export class FindingsError extends DsServiceError {
  override readonly exitCode = exitCodes.findings;
  override readonly name = "FindingsError";
}

/** Bad input from the user: a flag, an answer, a target. Nothing has been written. */
export class ValidationError extends DsServiceError {
  override readonly exitCode = exitCodes.validation;
  override readonly name = "ValidationError";
}

/** The user interrupted (Ctrl-C, SIGTERM, a closed prompt). Nothing partial was left behind. */
export class CancelledError extends DsServiceError {
  override readonly exitCode = exitCodes.cancelled;
  override readonly name = "CancelledError";
}

/** An expected failure of an outside tool (git, uv) after the project itself was written. */
export class StepError extends DsServiceError {
  override readonly exitCode = exitCodes.step;
  override readonly name = "StepError";
}

/** What the CLI prints for an error, as text or as `--json`: the kind, the message, the code. */
export interface ErrorReport {
  readonly kind: string;
  readonly message: string;
  readonly exitCode: number;
}

export function errorReport(error: unknown): ErrorReport {
  if (error instanceof DsServiceError) {
    return { kind: error.name, message: error.message, exitCode: error.exitCode };
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return {
    kind: "InternalError",
    message:
      `unexpected failure — please report it at the ds-service issue tracker with the command you ran, ` +
      `your OS, \`node --version\` and this output:\n${detail}`,
    exitCode: exitCodes.internal,
  };
}

/** Another ds-service command holds the repository's lock. Nothing was written; run it again. */
export class BusyError extends DsServiceError {
  override readonly exitCode = exitCodes.busy; // EX_TEMPFAIL: a temporary failure, the user can retry
  override readonly name = "BusyError";
}

/**
 * A failure ds-service did not expect, caught and described where it happened (`fleet upgrade`:
 * one repository crashed and the others went on): exit 70, like any untyped error.
 */
export class InternalError extends DsServiceError {
  override readonly name = "InternalError";
}
