/**
 * Typed errors, thrown anywhere and turned into an exit code once, at the CLI edge.
 * Exit codes: 2 usage or validation, 75 busy (try again later), 130 cancelled; anything untyped
 * is 1 ("please report").
 */
export class DsServiceError extends Error {
  readonly exitCode: number = 1;
}

/** Bad input from the user: a flag, an answer, a target. Nothing has been written. */
export class ValidationError extends DsServiceError {
  override readonly exitCode = 2;
  override readonly name = "ValidationError";
}

/** The user interrupted (Ctrl-C, SIGTERM, a closed prompt). Nothing partial was left behind. */
export class CancelledError extends DsServiceError {
  override readonly exitCode = 130;
  override readonly name = "CancelledError";
}

/** An expected failure of an outside tool (git, uv) after the project itself was written. */
export class StepError extends DsServiceError {
  override readonly name = "StepError";
}

/** Another ds-service command holds the repository's lock. Nothing was written; run it again. */
export class BusyError extends DsServiceError {
  override readonly exitCode = 75; // EX_TEMPFAIL: a temporary failure, the user can retry
  override readonly name = "BusyError";
}
