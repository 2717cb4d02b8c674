import type { Ownership } from "@ds-service/template-service";

export type { Ownership };

/** One file the generator intends to write; nothing touches disk until the plan is written. */
export interface PlannedFile {
  readonly path: string;
  readonly content: Buffer;
  readonly ownership: Ownership;
  /** 0o755 for an executable file (a script); absent: an ordinary file. */
  readonly mode?: number;
}

/** Relative path → planned file, in template order. */
export type Plan = Map<string, PlannedFile>;
