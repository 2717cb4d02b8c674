import fs from "node:fs/promises";
import path from "node:path";
import { assertInside } from "@ds-service/generator";

/** A staged change: the bytes it replaces and the bytes it writes (null: absent). */
export interface StagedChange {
  readonly path: string;
  readonly before: Buffer | null;
  readonly after: Buffer | null;
  /** Permission bits to set (0o755, say); absent: a file keeps its own, a new one the default. */
  readonly mode?: number;
}

/**
 * The project as codemods see it: reads come from disk (or from earlier staged edits), writes
 * and deletes are only staged. Only the runner turns staged changes into disk writes, so a
 * dry run, a diff preview and an all-or-nothing apply come for free. Files are held as bytes;
 * `read` and a string `write` are the UTF-8 view a codemod edits text through.
 */
export class StagedTree {
  readonly #root: string;
  readonly #staged = new Map<string, Buffer | null>();
  readonly #original = new Map<string, Buffer | null>();
  readonly #modes = new Map<string, number>();
  readonly #files: ReadonlyMap<string, Buffer> | undefined;

  /**
   * `files`, when given, replaces the disk as what the tree starts from: the upgrade runs the
   * codemods over the template's pristine base that way, never touching `root`.
   */
  constructor(root: string, files?: ReadonlyMap<string, Buffer>) {
    this.#root = root;
    this.#files = files;
  }

  get root(): string {
    return this.#root;
  }

  /** The file as text (UTF-8), for codemods; binary files go through `readBytes`. */
  async read(rel: string): Promise<string | null> {
    return (await this.readBytes(rel))?.toString("utf8") ?? null;
  }

  async readBytes(rel: string): Promise<Buffer | null> {
    if (this.#staged.has(rel)) return this.#staged.get(rel) ?? null;
    return this.#readOriginal(rel);
  }

  async exists(rel: string): Promise<boolean> {
    return (await this.readBytes(rel)) !== null;
  }

  /** Stages `content` (text is written as UTF-8) at `rel`; writing what is there stages nothing. */
  async write(rel: string, content: string | Buffer): Promise<void> {
    assertInside(this.#root, rel);
    const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
    const original = await this.#readOriginal(rel);
    if (original?.equals(bytes)) this.#staged.delete(rel);
    else this.#staged.set(rel, bytes);
  }

  /** The file's permission bits: as staged, else on disk; null when absent (or not on disk). */
  async mode(rel: string): Promise<number | null> {
    if ((await this.readBytes(rel)) === null) return null;
    const staged = this.#modes.get(rel);
    if (staged !== undefined) return staged;
    if (this.#files) return null;
    const stat = await fs.stat(assertInside(this.#root, rel)).catch(() => null);
    return stat === null ? null : stat.mode & 0o7777;
  }

  /** Stages the permission bits of a file there is (or is staged); the mode it has stages nothing. */
  async chmod(rel: string, mode: number): Promise<void> {
    assertInside(this.#root, rel);
    this.#modes.delete(rel);
    const now = await this.mode(rel);
    if (now !== mode && (await this.exists(rel))) this.#modes.set(rel, mode);
  }

  async delete(rel: string): Promise<void> {
    assertInside(this.#root, rel);
    this.#modes.delete(rel);
    if ((await this.#readOriginal(rel)) === null) this.#staged.delete(rel);
    else this.#staged.set(rel, null);
  }

  /** Files under `dir` (relative to the root), on disk or staged, minus staged deletions. */
  async list(dir: string): Promise<string[]> {
    const found = new Set(await this.#listOriginal(dir));
    for (const [rel, content] of this.#staged) {
      if (!rel.startsWith(`${dir}/`)) continue;
      if (content === null) found.delete(rel);
      else found.add(rel);
    }
    return [...found].sort();
  }

  /**
   * Every staged change with the content it replaces (null: absent), sorted by path; a file
   * whose mode alone is staged has the same bytes before and after.
   */
  changes(): StagedChange[] {
    const paths = new Set([...this.#staged.keys(), ...this.#modes.keys()]);
    return [...paths]
      .map((p) => {
        const before = this.#original.get(p) ?? null;
        const after = this.#staged.has(p) ? (this.#staged.get(p) ?? null) : before;
        const mode = this.#modes.get(p);
        return { path: p, before, after, ...(mode === undefined ? {} : { mode }) };
      })
      .sort((a, b) => a.path.localeCompare(b.path));
  }

  async #listOriginal(dir: string): Promise<string[]> {
    const abs = assertInside(this.#root, dir);
    if (this.#files) return [...this.#files.keys()].filter((rel) => rel.startsWith(`${dir}/`));
    const entries = await fs.readdir(abs, { recursive: true, withFileTypes: true }).catch(() => []);
    return entries
      .filter((e) => e.isFile())
      .map((e) =>
        path.relative(this.#root, path.join(e.parentPath, e.name)).split(path.sep).join("/"),
      );
  }

  async #readOriginal(rel: string): Promise<Buffer | null> {
    if (this.#original.has(rel)) return this.#original.get(rel) ?? null;
    let content: Buffer | null;
    if (this.#files) {
      assertInside(this.#root, rel);
      content = this.#files.get(rel) ?? null;
      this.#original.set(rel, content);
      return content;
    }
    try {
      content = await fs.readFile(assertInside(this.#root, rel));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      content = null;
    }
    this.#original.set(rel, content);
    return content;
  }
}
