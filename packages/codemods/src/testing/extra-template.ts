import path from "node:path";
import {
  type FileSource,
  type Ownership,
  parseAnswers,
  planProject,
  sources,
  type TemplateMove,
  writePlan,
} from "@ds-service/generator";
import { commitAll, git, testdir } from "@ds-service/test-utils";

// For the upgrade tests: a template version made as one more package of files rendered next
// to the real ones, and a committed project generated from it with its base recorded.

type Content = string | Buffer;
export type Files = Record<
  string,
  Content | { content: Content; ownership?: Ownership; mode?: number }
>;

/** One template version's extra files (merged unless said otherwise), stored as the build stores them. */
export function extraTemplate(
  version: string,
  files: Files,
  moves: TemplateMove[] = [],
): FileSource[] {
  const extra: FileSource = {
    packageName: "@ds-service/test-extras",
    packageVersion: version,
    moves,
    files: Object.entries(files).map(([source, file]) => {
      const {
        content,
        ownership = "merged",
        mode,
      } = typeof file === "string" || Buffer.isBuffer(file) ? { content: file } : file;
      const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content, "utf8");
      const encoded = { content: bytes.toString("base64"), encoding: "base64" as const };
      return { source, ownership, ...(mode === undefined ? {} : { mode }), ...encoded };
    }),
  };
  return [...sources, extra];
}

export const answers = parseAnswers({ name: "churn-model", task: "classification" });

/** A project generated from `from` and committed, its render recorded as the template base. */
export async function projectOn(from: FileSource[]): Promise<string> {
  const dir = path.join(await testdir(), "churn-model");
  await writePlan(await planProject(answers, dir, from), dir);
  await git(dir, "init", "-q", "-b", "main");
  await commitAll(dir);
  await git(dir, "update-ref", "refs/ds-service/base", "HEAD");
  return dir;
}
