import { files } from "@ds-service/template-service";

const profilerPath = "src/__package__/io/profile.py";

/** The template's profiler, as shipped in every project, so `new --data` runs the same code. */
export function profilerSource(): string {
  const file = files.find((f) => f.source === profilerPath);
  if (file?.content === undefined) throw new Error(`the template has no ${profilerPath}`);
  return file.content;
}
