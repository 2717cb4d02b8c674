import fs from "node:fs/promises";
import { ValidationError } from "@ds-service/generator";

/** `--answers <file>`: a JSON object of answers (flags win over it), or a clear refusal. */
export async function readAnswersFile(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (error) {
    throw new ValidationError(`cannot read --answers ${file}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`--answers ${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ValidationError(`--answers ${file} must hold a JSON object of answers`);
  }
  return parsed as Record<string, unknown>;
}
