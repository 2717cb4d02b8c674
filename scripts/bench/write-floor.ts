import fs from "node:fs/promises";
import path from "node:path";

/**
 * What any Node program pays to put a scaffolded project on this disk: a script of a dozen lines
 * that writes the same files, byte for byte, from one JSON document (no rendering, no hashing, no
 * journal). On the 2-core machine the file system alone (~250 files in ~50 new directories)
 * costs about as much as starting Node, so this floor bounds how close to `node -e 0` a
 * scaffold can come; the scaffold's ratio to it is the part that is ours.
 */
export async function writeFloorScript(projectDir: string, workDir: string): Promise<string> {
  const files: [string, string][] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(file);
      else files.push([path.relative(projectDir, file), await fs.readFile(file, "base64")]);
    }
  };
  await walk(projectDir);
  const data = path.join(workDir, "floor-files.json");
  await fs.writeFile(data, JSON.stringify(files));
  const script = path.join(workDir, "write-floor.cjs");
  await fs.writeFile(
    script,
    `const fs = require("node:fs"), path = require("node:path");
const files = JSON.parse(fs.readFileSync(${JSON.stringify(data)}, "latin1"));
const made = new Set();
for (const [rel, content] of files) {
  const file = path.join(process.argv[2], rel);
  const dir = path.dirname(file);
  if (!made.has(dir)) fs.mkdirSync(dir, { recursive: true }), made.add(dir);
  fs.writeFileSync(file, Buffer.from(content, "base64"));
}
`,
  );
  return script;
}
