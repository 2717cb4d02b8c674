import { type FleetReportRow, rowState } from "./fleet.js";

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (ch) => `&${{ "&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "#39" }[ch]};`,
  );

/** A self-contained page (no scripts, no external assets) of the fleet's versions and drift. */
export function fleetReportHtml(rows: readonly FleetReportRow[], generatedAt: Date): string {
  const versions = new Map<string, number>();
  for (const r of rows)
    versions.set(
      r.templateVersion ?? "unknown",
      (versions.get(r.templateVersion ?? "unknown") ?? 0) + 1,
    );
  const current = rows.filter((r) => r.outdated === false && r.drift.length === 0).length;
  const body = rows
    .map((r) => {
      const state = rowState(r);
      return `<tr class="${state}"><td>${escapeHtml(r.path)}</td><td>${escapeHtml(r.templateVersion ?? "—")}</td><td>${state}</td><td>${escapeHtml(r.error ?? r.drift.join(", "))}</td></tr>`;
    })
    .join("\n");
  const summary = [...versions.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([v, n]) => `<li>template ${escapeHtml(v)}: ${n} repositor${n === 1 ? "y" : "ies"}</li>`)
    .join("");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>ds-service fleet report</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: .4rem .6rem; text-align: left; }
tr.outdated td:nth-child(3) { color: #a15c00; }
tr.drifted td:nth-child(3), tr.error td:nth-child(3) { color: #b00020; }
tr.current td:nth-child(3) { color: #1b7f3b; }
</style>
</head>
<body>
<h1>ds-service fleet report</h1>
<p id="summary">${current} of ${rows.length} repositories current and without drift (${escapeHtml(generatedAt.toISOString())}).</p>
<ul>${summary}</ul>
<table>
<thead><tr><th>repository</th><th>template</th><th>state</th><th>details</th></tr></thead>
<tbody>
${body}
</tbody>
</table>
</body>
</html>
`;
}
