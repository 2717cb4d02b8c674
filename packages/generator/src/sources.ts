import * as configCi from "@ds-service/config-ci";
import * as configDeploy from "@ds-service/config-deploy";
import * as configMonitoring from "@ds-service/config-monitoring";
import * as configPython from "@ds-service/config-python";
import type { TemplateFile, TemplateMove } from "@ds-service/template-service";
import * as serviceTemplate from "@ds-service/template-service";

export type { Ownership, TemplateFile, TemplateMove } from "@ds-service/template-service";

/** A package whose files make up part of a generated project: the template or a config pack. */
export interface FileSource {
  readonly packageName: string;
  readonly packageVersion: string;
  readonly files: readonly TemplateFile[];
  /** Files the package moved, by the version that moved them: an upgrade carries edits along. */
  readonly moves?: readonly TemplateMove[];
}

/** The service template: its version is the project's template version. */
export const serviceTemplateSource: FileSource = serviceTemplate;

/**
 * Every package rendered into a new project, in order. An explicit list, never discovered:
 * adding a config package means adding it here (and as a dependency).
 */
export const sources: readonly FileSource[] = [
  serviceTemplateSource,
  configPython,
  configCi,
  configDeploy,
  configMonitoring,
];

/** The template version `sources` render: the service template's among them. */
export function templateVersion(from: readonly FileSource[]): string {
  const template = from.find((s) => s.packageName === serviceTemplateSource.packageName);
  return (template ?? serviceTemplateSource).packageVersion;
}
