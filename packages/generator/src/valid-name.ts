import fc from "fast-check";
import { nameProblem } from "./names.js";

/**
 * Project names the name rules accept, for property tests: the generator's own, and the e2e
 * suite's, which draws its project names here so that real `make check` runs keep proving
 * "every valid name makes a project that passes its checks". Test-only: not exported by the
 * package (fast-check is a dev dependency).
 */
export const validName = fc
  .stringMatching(/^[a-z][a-z0-9]{0,12}(-[a-z0-9]{1,8}){0,3}$/)
  .filter((name) => nameProblem(name) === undefined);

/** `count` valid names drawn with `seed`: the same seed always gives the same names. */
export function sampleValidNames(count: number, seed: number): string[] {
  return fc.sample(validName, { numRuns: count, seed });
}
