import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

// Grafana's own dashboard types (@grafana/schema) applied to a dashboard's JSON by the
// TypeScript compiler: the JSON becomes an object literal that must `satisfies` them, so a
// wrong type, an unknown key or a value outside an enum is a compile error. No Grafana server
// runs here; this is the check a server's import would make of the panel and field shapes.
// Panels are typed by their plugin's generated types (timeseries, heatmap) rather than the
// loose `Record<string, unknown>` options of the generic `Panel`, and `custom` field config
// without the open index signature, so a typo there is an error too. @grafana/schema has no
// Prometheus query type (it lives in Grafana's datasource plugin): `PromQuery` below spells
// the fields of its dataquery that the dashboard uses.
const here = path.dirname(fileURLToPath(import.meta.url));

const prelude = `
import type { DataQuery, Dashboard, FieldConfig, Panel, RowPanel } from "@grafana/schema";
import type {
  FieldConfig as TimeSeriesFieldConfig,
  Options as TimeSeriesOptions,
} from "@grafana/schema/dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen";
import type {
  FieldConfig as HeatmapFieldConfig,
  Options as HeatmapOptions,
} from "@grafana/schema/dist/esm/raw/composable/heatmap/panelcfg/x/HeatmapPanelCfg_types.gen";

// JSON spells an enum by its value: \`\${E}\` is the union of a string enum's values.
type Json<T> = T extends string
  ? \`\${T}\`
  : T extends number | boolean | null | undefined
    ? T
    : T extends readonly (infer U)[]
      ? Json<U>[]
      : T extends object
        ? { [K in keyof T]: Json<T[K]> }
        : T;
type PromQuery = DataQuery & {
  expr: string;
  legendFormat?: string;
  format?: "time_series" | "table" | "heatmap";
  instant?: boolean;
  range?: boolean;
  interval?: string;
};
type Typed<K extends string, O, C> = Omit<Panel, "type" | "options" | "fieldConfig" | "targets"> & {
  type: K;
  options: O;
  fieldConfig: {
    defaults: Omit<FieldConfig, "custom"> & { custom?: C };
    overrides: NonNullable<Panel["fieldConfig"]>["overrides"];
  };
  targets: PromQuery[];
};
type Checked = Omit<Dashboard, "panels"> & {
  panels: (
    | RowPanel
    | Typed<"timeseries", TimeSeriesOptions, TimeSeriesFieldConfig>
    | Typed<"heatmap", HeatmapOptions, HeatmapFieldConfig>
  )[];
};
export const dashboard = `;

/** The compiler's complaints about each dashboard, by name; an empty list means it type-checks. */
export function checkDashboards(dashboards: Record<string, unknown>): Record<string, string[]> {
  const sources = new Map(
    Object.entries(dashboards).map(([name, json]) => [
      path.join(here, `__dashboard_${name}.ts`),
      `${prelude}${JSON.stringify(json, null, 2)} satisfies Json<Checked>;\n`,
    ]),
  );
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (file) => sources.has(file) || fileExists.call(host, file);
  host.readFile = (file) => sources.get(file) ?? readFile.call(host, file);
  host.getSourceFile = (file, language, ...rest) => {
    const text = sources.get(file);
    return text !== undefined
      ? ts.createSourceFile(file, text, language)
      : getSourceFile.call(host, file, language, ...rest);
  };
  const program = ts.createProgram([...sources.keys()], options, host);
  const result: Record<string, string[]> = {};
  for (const [name, file] of Object.keys(dashboards).map((n, i) => [n, [...sources.keys()][i]])) {
    const source = program.getSourceFile(file ?? "");
    if (source === undefined) throw new Error(`${file} was not compiled`);
    result[name ?? ""] = [
      ...program.getSyntacticDiagnostics(source),
      ...program.getSemanticDiagnostics(source),
    ].map((d) => {
      const at =
        d.start === undefined
          ? ""
          : `line ${source.getLineAndCharacterOfPosition(d.start).line + 1}: `;
      return at + ts.flattenDiagnosticMessageText(d.messageText, "\n");
    });
  }
  return result;
}
