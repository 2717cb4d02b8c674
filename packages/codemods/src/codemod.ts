import type { Answers } from "@ds-service/generator";
import type { StagedTree } from "./tree.js";

/** What a codemod knows about the project it migrates. */
export interface CodemodContext {
  readonly answers: Answers;
  /** The Python import package, e.g. `churn_model`. */
  readonly package: string;
}

export interface Codemod {
  /** Verb-noun, kebab-case; also the folder name. */
  readonly name: string;
  readonly description: string;
  /** The template version whose projects need this codemod (runs when upgrading across it). */
  readonly introducedIn: string;
  /** Running it on its own output changes nothing. */
  readonly idempotent: boolean;
  /** Stages edits on the tree; never touches disk. Throws CodemodError for a project it cannot migrate. */
  transform(tree: StagedTree, context: CodemodContext): Promise<void>;
}

/** A codemod refusing a project it cannot migrate safely; nothing is written. */
export class CodemodError extends Error {
  override readonly name = "CodemodError";
}
