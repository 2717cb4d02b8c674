import validateNpmName from "validate-npm-package-name";
import { pythonKeywords, pythonStdlibModules } from "./data/python-names.js";

/**
 * Packages a generated project imports: a project package with one of these names would shadow
 * the dependency inside its own virtualenv.
 */
const runtimeDependencyImports = new Set([
  "numpy",
  "pandas",
  "scipy",
  "sklearn",
  "pandera",
  "pydantic",
  "pydantic_settings",
  "fastapi",
  "uvicorn",
  "prometheus_client",
  "joblib",
  "yaml",
  "ruamel",
  "pyarrow",
  "starlette",
  "httpx",
  "pytest",
  "mypy",
  "ruff",
]);

/**
 * Top-level directories of a generated project, and those its make targets create. A package
 * with one of these names breaks the project: `make test` passes `--cov=<package>`, and
 * coverage takes an existing directory for a path, so it would measure that directory instead
 * of the package (`tests` would measure the test suite itself, `monitoring` only YAML).
 */
export const projectDirectories: ReadonlySet<string> = new Set([
  "src",
  "tests",
  "confs",
  "deploy",
  "docs",
  "monitoring",
  "artifacts",
  "reports",
  "data",
]);

// A Kubernetes Service name is an RFC 1035 label: it must start with a letter.
const dnsLabel = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const dnsLabelMax = 63;
/** config-deploy's overlays: each deploys into the namespace `<name>-<environment>`. */
const deployEnvironments = ["staging", "prod"];
const longestNamespaceSuffix = Math.max(...deployEnvironments.map((env) => env.length + 1));
const maxLength = dnsLabelMax - longestNamespaceSuffix;

/**
 * Why `name` cannot be a project name, or undefined when it can. The name becomes the npm-style
 * slug, the PyPI distribution, the Python package (after `-` → `_`) and Kubernetes object names,
 * so it must satisfy every one of those rules at once.
 */
export function nameProblem(name: string): string | undefined {
  if (name.length === 0) return "the name is empty";
  if (name.length > maxLength) {
    return `"${preview(name)}" is ${name.length} characters; at most ${maxLength} are allowed, because the Kubernetes namespace "<name>-staging" must fit in ${dnsLabelMax}`;
  }
  if (!dnsLabel.test(name)) {
    return `"${preview(name)}" is not a Kubernetes DNS label: use lowercase letters, digits and "-", start with a letter and end with a letter or digit`;
  }
  if (name.includes("--")) {
    return `"${name}" contains "--", which makes an awkward Python package name ("__")`;
  }
  const npm = validateNpmName(name);
  if (!npm.validForNewPackages) {
    const reason = [...(npm.errors ?? []), ...(npm.warnings ?? [])].join("; ");
    return `"${name}" is not a valid npm package name: ${reason}`;
  }
  const pkg = pythonPackage(name);
  if (pythonKeywords.has(pkg)) return `"${name}" is a Python keyword`;
  if (pythonStdlibModules.has(pkg)) {
    return `"${name}" would shadow the Python standard library module "${pkg}"`;
  }
  if (projectDirectories.has(pkg)) {
    return `"${name}" is the name of the generated project's own "${pkg}/" directory, which the package would collide with`;
  }
  if (runtimeDependencyImports.has(pkg)) {
    return `"${name}" would shadow the "${pkg}" package the generated project depends on`;
  }
  return undefined;
}

/** The generated project's Python import package: the name with `-` as `_`. */
export function pythonPackage(name: string): string {
  return name.replaceAll("-", "_");
}

/** Quote user input safely in a message: no control characters, bounded length. */
function preview(name: string): string {
  const printable = JSON.stringify(name).slice(1, -1);
  return printable.length > 40 ? `${printable.slice(0, 40)}…` : printable;
}
