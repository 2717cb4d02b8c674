/**
 * Per-format string-literal helpers for templates. Handlebars runs with `noEscape`, so every
 * free-text value that lands in TOML, YAML or Python goes through one of these: `{{toml name}}`
 * renders a complete, quoted literal that the target format parses back to the same string.
 */

const controlChars = /[\u0000-\u001f\u007f\u2028\u2029]/g;
const shortEscapes: Record<string, string> = {
  "\b": "\\b",
  "\t": "\\t",
  "\n": "\\n",
  "\f": "\\f",
  "\r": "\\r",
};

function unicodeEscape(ch: string): string {
  return shortEscapes[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/**
 * A double-quoted literal with `\\`, `"` and control characters escaped. TOML basic strings,
 * YAML double-quoted scalars and Python string literals all read these escapes the same way.
 * Lone surrogates cannot be represented in TOML or YAML, so they are refused.
 */
function quoted(value: unknown): string {
  const text = String(value);
  if (!text.isWellFormed()) throw new Error("cannot quote a string with a lone surrogate");
  return `"${text.replace(/[\\"]/g, (ch) => `\\${ch}`).replace(controlChars, unicodeEscape)}"`;
}

export const escapeHelpers = {
  toml: quoted,
  yaml: quoted,
  py: quoted,
} as const;
