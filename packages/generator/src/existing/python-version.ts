import { satisfies, validRange } from "@renovatebot/pep440";
import { ValidationError } from "../errors.js";

/** CI's Python when the repository says nothing: one of the pack's pinned GitLab images. */
export const defaultPythonVersion = "3.11";

// In order of preference: the default, then the oldest newer one the project allows (as uv
// picks the lowest compatible Python), then older ones for projects capped below 3.11.
const candidates = [
  ...Array.from({ length: 10 }, (_, i) => `3.${11 + i}`),
  ...["3.10", "3.9", "3.8"],
];

/**
 * The Python minor version CI sets up for a `requires-python` specifier (PEP 440). CI's `3.12`
 * is the newest 3.12.z, so a high patch number stands for it: `>=3.12.4` still picks 3.12.
 */
export function pythonForRequires(requiresPython: string | undefined, file: string): string {
  if (requiresPython === undefined || requiresPython.trim() === "") return defaultPythonVersion;
  if (!validRange(requiresPython)) {
    throw new ValidationError(
      `${file}: requires-python = "${requiresPython}" is not a valid version specifier (PEP 440)`,
    );
  }
  return candidates.find((v) => satisfies(`${v}.99`, requiresPython)) ?? defaultPythonVersion;
}
