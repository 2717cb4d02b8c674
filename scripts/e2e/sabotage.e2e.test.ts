import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "@ds-service/test-utils";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startService } from "./serve.js";
import { penguinRow, penguinsMass, penguinsSpecies } from "./shared.js";

// Tests that test the tests: each sabotage is a realistic bug patched into a project freshly
// generated from real data that is not the demo (penguins species: text categories, missing
// values, three classes). The project's own `make check` must turn red and name the test that
// guards against it. `make -k` keeps going after a lint finding the patch causes, so pytest
// always reports. Each run's pytest collects only the guarding tests' files (PYTEST_ADDOPTS):
// whether the rest of the suite passes says nothing about this sabotage, and the datasets
// suite runs the whole make check of the same project unsabotaged.

interface Edit {
  readonly file: string;
  /** The text to replace; a RegExp keeps data-derived values (ranges) out of this file. */
  readonly from: string | RegExp;
  readonly to: string;
}

interface Sabotage {
  readonly name: string;
  readonly edits: readonly Edit[];
  /** Test ids (file::name prefix) that must be reported as FAILED or ERROR. */
  readonly caughtBy: readonly string[];
  /** What `make score` must say about the lost points (it must also fail); unset: not run. */
  readonly scoreSays?: readonly (string | RegExp)[];
}

// The penguins projects the datasets suite checks unsabotaged (./shared.ts).
const pkg = "penguins_species";
const slug = "penguins-species";
const clientsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "clients");
const massPkg = "penguins_mass";

/** The schema's range check on a numeric feature, dropped (the schema has one argument a line). */
const rangeDropped = (pkg: string, feature: string): Sabotage => ({
  name: "a dropped schema range check",
  edits: [
    {
      file: `src/${pkg}/core/schemas.py`,
      from: new RegExp(
        `( {4}${feature}: Series\\[float\\] = pa\\.Field\\(\\n) {8}ge=[^\\n]*\\n {8}le=[^\\n]*\\n`,
      ),
      to: "$1",
    },
  ],
  caughtBy: [
    `tests/core/test_schema_contract.py::test_every_feature_declares_its_domain[${feature}]`,
  ],
});

/** The schema's category check on `feature` (a column of `type`), dropped: any value accepted. */
const categoryDropped = (pkg: string, feature: string, type: "str" | "float"): Sabotage => ({
  name: `a category check dropped: any ${feature} accepted`,
  edits: [
    {
      file: `src/${pkg}/core/schemas.py`,
      from: new RegExp(
        `( {4}${feature}: Series\\[${type}\\] = pa\\.Field\\(\\n) {8}isin=[^\\n]*\\n`,
      ),
      to: "$1",
    },
  ],
  caughtBy: [
    `tests/core/test_schema_contract.py::test_every_feature_declares_its_domain[${feature}]`,
  ],
});

/**
 * An identifier feature (a deny-listed name) added after the schema's field described
 * `lastDescription`, and fed from the row index by the loading line `load` (`from` → `to`).
 */
const identifierAdded = (
  pkg: string,
  id: string,
  lastDescription: string,
  load: { readonly from: string; readonly to: string },
): Sabotage => ({
  name: "a deny-listed feature added",
  edits: [
    {
      file: `src/${pkg}/core/schemas.py`,
      from: `        description="${lastDescription}",\n    )\n`,
      to: `        description="${lastDescription}",\n    )\n    ${id}: Series[float] = pa.Field(ge=0, le=1e6, description="Record number.")\n`,
    },
    { file: `src/${pkg}/io/data.py`, ...load },
  ],
  caughtBy: [
    "tests/core/test_registry.py::test_schema_features_obey_the_policy",
    "tests/core/test_registry.py::test_trained_model_features_obey_the_policy",
  ],
});

/** The slice minimum of ROC AUC set to 0 in confs/quality.yaml (`minimums` as the project has it). */
const sliceMinimumZeroed = (minimums: string): Sabotage => ({
  name: "slice minimums set to 0",
  edits: [
    {
      file: "confs/quality.yaml",
      from: `minimums: ${minimums}`,
      to: `minimums: ${minimums.replace(/roc_auc: [0-9.]+/, "roc_auc: 0")}`,
    },
  ],
  caughtBy: [
    "tests/io/test_floors.py::test_threshold_within_its_floor[quality.yaml:slice_bounds.minimums.roc_auc]",
  ],
  // `make score` on a loosened threshold is proven in the project's own tests/ml_test_score;
  // the suite's time budget keeps one real `make score` run here (below).
});

/** The sabotages, as patches to the package `pkg` of a penguins project. */
const sabotagesOf = (pkg: string): readonly Sabotage[] => [
  {
    name: "a constant predictor",
    edits: [
      {
        file: `src/${pkg}/core/model.py`,
        from: "estimator = LogisticRegression(C=params.c, max_iter=params.max_iter, random_state=seed)",
        to: 'estimator = DummyClassifier(strategy="prior")',
      },
    ],
    caughtBy: ["tests/core/test_model.py::test_beats_the_baseline_by_the_configured_margin"],
  },
  {
    name: "shuffled feature order at serving time",
    edits: [
      {
        file: `src/${pkg}/serve/scoring.py`,
        from: "prediction = predict(artifact.pipeline, features)",
        to: "prediction = predict(artifact.pipeline, features.set_axis(features.columns[::-1], axis=1))",
      },
    ],
    caughtBy: ["tests/test_end_to_end.py::test_served_predictions_equal_offline_predictions"],
  },
  {
    // About 10x the cost of a request: inside the fixed 250 ms p95 budget on any machine, so
    // only the cost recorded for this project at generation (confs/budgets.yaml) catches it.
    name: "every request made 10x slower",
    edits: [
      {
        file: `src/${pkg}/serve/scoring.py`,
        from: "        artifact = self.state.require()\n",
        to: "        artifact = self.state.require()\n        _ = sum(i * i for i in range(1_500_000))\n",
      },
    ],
    caughtBy: ["tests/serve/test_latency_budget.py::test_inference_cost_has_not_regressed"],
  },
  {
    name: "a NaN leaking into predictions",
    edits: [
      {
        file: `src/${pkg}/serve/predictions.py`,
        from: "    probabilities = np.asarray(estimator.predict_proba(inputs), dtype=np.float64)\n",
        to: "    probabilities = np.asarray(estimator.predict_proba(inputs), dtype=np.float64)\n    probabilities[-1] = np.nan\n",
      },
    ],
    caughtBy: ["tests/test_end_to_end.py::test_served_predictions_equal_offline_predictions"],
  },
  rangeDropped(pkg, "bill_length_mm"),
  categoryDropped(pkg, "island", "str"),
  {
    name: "missing values no longer imputed",
    edits: [
      {
        file: `src/${pkg}/core/features.py`,
        from: 'Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())])',
        to: 'Pipeline([("scale", StandardScaler())])',
      },
    ],
    caughtBy: [
      "tests/core/test_model_spec.py::test_the_pipeline_imputes_a_missing_value_where_nullable",
    ],
  },
  {
    name: "training on the held-out rows too",
    edits: [
      {
        file: `src/${pkg}/jobs/train.py`,
        from: "pipeline = build_pipeline(config.model, config.seed).fit(train.features, train.target)",
        to: "pipeline = build_pipeline(config.model, config.seed).fit(dataset.features, dataset.target)",
      },
    ],
    caughtBy: ["tests/core/test_model.py::test_the_model_never_saw_its_held_out_rows"],
  },
  {
    name: "the non-regression gate comparing the model with itself",
    edits: [
      {
        file: `src/${pkg}/jobs/train.py`,
        from: "trained.metrics, trained.linear_metrics, slices, production, quality",
        to: 'trained.metrics, trained.linear_metrics, slices, {"metrics": trained.metrics}, quality',
      },
    ],
    caughtBy: [
      "tests/jobs/test_train.py::test_cli_refuses_a_model_worse_than_production",
      "tests/jobs/test_train.py::test_cli_refuses_a_model_worse_than_production_on_one_slice",
    ],
  },
  {
    name: "a seed removed from training",
    edits: [
      {
        file: `src/${pkg}/io/data.py`,
        from: "random_state=seed,",
        to: "random_state=None,",
      },
    ],
    caughtBy: ["tests/core/test_model.py::test_training_is_reproducible"],
  },
  {
    // A field every new artifact has and the released one (made by the code of the last
    // release) lacks: every test of today's models passes, but production could no longer
    // roll back to that release. Only the test serving the released model sees it.
    name: "the artifact manifest gains a field the released model lacks",
    edits: [
      {
        file: `src/${pkg}/io/artifacts.py`,
        from: "    lockfile_sha256: str | None = None\n",
        to: "    lockfile_sha256: str | None = None\n    training_rows: int\n",
      },
      {
        file: `src/${pkg}/jobs/train.py`,
        from: "        lockfile_sha256=file_sha256(LOCKFILE) if LOCKFILE.is_file() else None,\n",
        to: "        lockfile_sha256=file_sha256(LOCKFILE) if LOCKFILE.is_file() else None,\n        training_rows=len(trained.train.features),\n",
      },
    ],
    caughtBy: [
      "tests/serve/test_rollback.py::test_rolling_back_to_the_released_model_is_safe_on_this_code",
    ],
  },
  identifierAdded(pkg, "penguin_id", "year", {
    from: "features = validate_features(raw[list(FEATURES)])",
    to: "features = validate_features(raw.assign(penguin_id=raw.index.astype(float))[list(FEATURES)])",
  }),
  sliceMinimumZeroed("{roc_auc: 0.5}"),
  {
    name: "a suite ignored in the Makefile's test recipe",
    edits: [
      {
        file: "Makefile",
        from: "--junitxml=reports/junit.xml",
        to: "--junitxml=reports/junit.xml --ignore=tests/serve",
      },
    ],
    caughtBy: ["tests/ml_test_score/test_score.py::test_ci_pytest_command_selects_the_whole_suite"],
    scoreSays: [
      /I7 +0\.0 .*\n +why: not selected by CI: tests\/serve\/test_rollback\.py::\S+ \(CI's pytest arguments leave it out: --ignore=tests\/serve\)/,
    ],
  },
];

const sabotages = sabotagesOf(pkg);

// The regression project's own versions of the bugs whose code differs by task, then the ones
// whose code is the same: every class of bug is caught for both tasks, not only for the one
// the suite was written on.
const regressionSabotages: readonly Sabotage[] = [
  {
    name: "a constant predictor",
    edits: [
      {
        file: `src/${massPkg}/core/model.py`,
        from: "estimator = Ridge(alpha=params.alpha, random_state=seed)",
        to: 'estimator = DummyRegressor(strategy="mean")',
      },
    ],
    caughtBy: ["tests/core/test_model.py::test_beats_the_baseline_by_the_configured_margin"],
  },
  {
    name: "a NaN leaking into predictions",
    edits: [
      {
        file: `src/${massPkg}/serve/predictions.py`,
        from: "    values = np.asarray(pipeline.predict(features), dtype=np.float64)\n",
        to: "    values = np.asarray(pipeline.predict(features), dtype=np.float64)\n    values[-1] = np.nan\n",
      },
    ],
    caughtBy: ["tests/test_end_to_end.py::test_served_predictions_equal_offline_predictions"],
  },
  ...sabotagesOf(massPkg).filter((sabotage) =>
    [
      "shuffled feature order at serving time",
      "missing values no longer imputed",
      "training on the held-out rows too",
      "the non-regression gate comparing the model with itself",
      "a seed removed from training",
    ].includes(sabotage.name),
  ),
];

// The binary demo (diabetes progression above its median): the classes of bug whose code is the
// template's own, then the data-derived ones on the demo's features (a range, a coded
// category, an identifier feature, a slice minimum). Imputation is left out: no demo feature
// may be missing, so a pipeline without its imputer is not a bug there (the test says so).
const demoPkg = "diabetes_binary";
const binarySabotages: readonly Sabotage[] = [
  ...sabotagesOf(demoPkg).filter((sabotage) =>
    [
      "a constant predictor",
      "shuffled feature order at serving time",
      "every request made 10x slower",
      "a NaN leaking into predictions",
      "training on the held-out rows too",
      "the non-regression gate comparing the model with itself",
      "a seed removed from training",
    ].includes(sabotage.name),
  ),
  rangeDropped(demoPkg, "age"),
  categoryDropped(demoPkg, "sex", "float"),
  identifierAdded(demoPkg, "patient_id", "Blood sugar level, mg/dL", {
    from: 'features = validate_features(raw.drop(columns="target"))',
    to: 'features = validate_features(raw.drop(columns="target").assign(patient_id=raw.index.astype(float)))',
  }),
  sliceMinimumZeroed("{roc_auc: 0.65, accuracy: 0.60}"),
];

let project = "";

// One project for every sabotage (generation and uv sync are the slow part), shared with the
// datasets suite; each test restores it with git before the next.
beforeAll(async () => {
  project = await penguinsSpecies();
}, 10 * 60_000);

async function restore(dir: string) {
  await execa("git", ["checkout", "--", "."], { cwd: dir });
  await execa("git", ["clean", "-fdq"], { cwd: dir });
}

/**
 * Applies the sabotage to the project in `dir`, runs its `make check` on the guarding tests'
 * files, and expects each guarding test to fail (and `make score`, when asked, to say why);
 * then restores the project.
 */
async function expectCaught(dir: string, { edits, caughtBy, scoreSays }: Sabotage) {
  try {
    for (const edit of edits) {
      const file = path.join(dir, edit.file);
      const text = await fs.readFile(file, "utf8");
      // The patch must apply: a template change that moved the line must fail here, loudly.
      const found = typeof edit.from === "string" ? text.includes(edit.from) : edit.from.test(text);
      expect(found, `${edit.file} no longer contains ${String(edit.from)}`).toBe(true);
      await fs.writeFile(file, text.replace(edit.from, edit.to));
    }
    const guards = [...new Set(caughtBy.map((test) => test.split("::")[0]))];
    const run = await execa("make", ["-k", "check"], {
      cwd: dir,
      all: true,
      reject: false,
      // A few test files: one process beats starting a worker per core.
      env: { PYTEST_ADDOPTS: guards.join(" "), PYTEST_WORKERS: "0" },
    });
    const output = String(run.all);
    expect(run.exitCode, "make check stayed green with the sabotage applied").not.toBe(0);
    for (const test of caughtBy) {
      const escaped = test.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      expect(output, `${test} did not fail:\n${output.slice(-4000)}`).toMatch(
        new RegExp(`(FAILED|ERROR) ${escaped}`),
      );
    }
    if (scoreSays) {
      // The score reads the junit report make check just wrote, and collects CI's own
      // pytest command (the local PYTEST_ADDOPTS above is not CI's, and is ignored).
      const score = await execa("make", ["score"], { cwd: dir, all: true, reject: false });
      const said = String(score.all);
      expect(score.exitCode, `make score passed with the sabotage:\n${said.slice(-4000)}`).not.toBe(
        0,
      );
      for (const reason of scoreSays) {
        expect(said, `make score did not say why:\n${said.slice(-6000)}`).toMatch(reason);
      }
    }
  } finally {
    await restore(dir);
  }
}

describe("sabotage: the generated make check catches each bug (multiclass)", () => {
  it.each(sabotages)("$name", (sabotage) => expectCaught(project, sabotage));
});

describe("sabotage: the same classes of bug on a regression project (penguins body mass)", () => {
  let mass = "";
  beforeAll(async () => {
    mass = await penguinsMass();
  }, 10 * 60_000);
  it.each(regressionSabotages)("$name", (sabotage) => expectCaught(mass, sabotage));
});

describe("sabotage: the same classes of bug on the binary demo (diabetes)", () => {
  let root = "";
  let demo = "";
  beforeAll(async () => {
    root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), "ds-service-sabotage-")));
    const name = demoPkg.replaceAll("_", "-");
    const created = await runCli(["new", name, "--yes"], { cwd: root, env: { CI: "true" } });
    expect(created.exitCode, created.stderr).toBe(0);
    demo = path.join(root, name);
  }, 10 * 60_000);
  afterAll(() => fs.rm(root, { recursive: true, force: true }));
  it.each(binarySabotages)("$name", (sabotage) => expectCaught(demo, sabotage));
});

// The ML bugs above, shipped inside the project: `make mutate-ml` applies each of its own
// mutants (jobs/ml_mutants.py) to a temporary copy and must find every one killed, naming the
// test that caught it, without touching the working tree (about 30 s on two cores).
describe("make mutate-ml: the project's own ML mutants are all killed", () => {
  it("kills each mutant, names the guarding test, and leaves the tree as it was", async () => {
    const status = async () =>
      (await execa("git", ["status", "--porcelain"], { cwd: project })).stdout;
    const before = await status();
    const run = await execa("make", ["mutate-ml"], { cwd: project, all: true, reject: false });
    const output = String(run.all);
    expect(run.exitCode, output.slice(-4000)).toBe(0);
    expect(output).toMatch(/\b(\d+) of \1 ML mutants killed/);
    expect(output).not.toMatch(/SURVIVED|could not apply/);
    // The dropped feature is one of the project's own, not the demo's.
    expect(output).toMatch(
      /killed +feature-dropped:island: [^\n]*\n +by tests\/core\/test_features\.py::/,
    );
    expect(output).toMatch(
      /killed +train-on-holdout: [^\n]*\n +by tests\/core\/test_model\.py::test_the_model_never_saw_its_held_out_rows/,
    );
    expect(await status()).toBe(before);
  });
});

// The caller contract (`make contract`, in make check): the penguins project's own commands
// change what callers see, and its own check must tell a breaking change from an addition.
describe("make contract: a change that breaks callers fails make check", () => {
  const git = (...args: string[]) =>
    execa("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: project });
  const contract = async () => {
    const run = await execa("make", ["contract"], { cwd: project, all: true, reject: false });
    return { code: run.exitCode, output: String(run.all) };
  };
  const feature = async (...args: string[]) => {
    const r = await runCli([...args, "--cwd", project], { env: { CI: "true" } });
    expect(r.exitCode, r.stderr).toBe(0);
  };
  const ratio = ["bill_ratio", "--min", "0", "--max", "10", "--example", "2.5"];
  const about = ["--description", "bill length over depth", "--source", "field measurement"];

  const raiseMajor = async () => {
    const meta = path.join(project, `src/${pkg}/meta.py`);
    const text = await fs.readFile(meta, "utf8");
    expect(text).toContain("MODEL_MAJOR: Final = 1\n");
    await fs.writeFile(meta, text.replace("MODEL_MAJOR: Final = 1\n", "MODEL_MAJOR: Final = 2\n"));
  };
  /** Where the project and the base refs upgrades merge against stand now. */
  const snapshot = async () => ({
    head: (await git("rev-parse", "HEAD")).stdout,
    refs: (await git("for-each-ref", "--format=%(refname) %(objectname)", "refs/ds-service"))
      .stdout,
  });
  // The CLI's commands move the base refs too: put them back with the tree.
  const resetTo = async (commit: string, refs: string) => {
    await git("reset", "-q", "--hard", commit);
    await git("clean", "-fdq");
    for (const line of refs.split("\n").filter(Boolean)) {
      const [ref, sha] = line.split(" ") as [string, string];
      await git("update-ref", ref, sha);
    }
  };

  it("fails a removed feature until MODEL_MAJOR is raised; an optional new feature passes, a required one fails", async () => {
    const { head, refs } = await snapshot();
    try {
      const recorded = await contract();
      expect(recorded.code, recorded.output).toBe(0);
      if ((await git("status", "--porcelain", "contract")).stdout) {
        await git("add", "contract");
        await git("commit", "-qm", "record the released contract");
      }
      const released = (await git("rev-parse", "HEAD")).stdout;

      await feature("remove", "feature", "year");
      const removed = await contract();
      expect(removed.code, removed.output).not.toBe(0);
      expect(removed.output).toContain("BREAKING  input 'year' removed (or renamed)");
      await raiseMajor();
      const bumped = await contract();
      expect(bumped.code, bumped.output).toBe(0);
      expect(bumped.output).toContain("breaking changes allowed: MODEL_MAJOR 1 → 2");

      await resetTo(released, refs);
      await feature("add", "feature", ...ratio, ...about);
      const optional = await contract();
      expect(optional.code, optional.output).toBe(0);
      expect(optional.output).toContain("compatible new input 'bill_ratio'");

      await resetTo(released, refs);
      await feature("add", "feature", ...ratio, ...about, "--required");
      const required = await contract();
      expect(required.code, required.output).not.toBe(0);
      expect(required.output).toContain("BREAKING  new input 'bill_ratio': callers must send it");
    } finally {
      await resetTo(head, refs);
    }
  });

  it("a release raising the major keeps v1 served beside v2: stock clients pinned to v1 still work", async () => {
    const { head, refs } = await snapshot();
    const run = async (target: string, env: Record<string, string> = {}) => {
      const r = await execa("make", [target], { cwd: project, all: true, reject: false, env });
      expect(r.exitCode, `make ${target}:\n${String(r.all).slice(-4000)}`).toBe(0);
      return String(r.all);
    };
    try {
      await feature("remove", "feature", "year");
      await raiseMajor();
      expect(await run("contract-release")).toContain("major 1 stays served beside it");
      // The project's own check after a real breaking release, the previous major kept.
      await run("check", { CI: "true" });
      await git("add", "-A");
      await git("commit", "-qm", "release major 2: year dropped");
      await run("train");
      const service = await startService(project);
      try {
        const row = JSON.stringify({ ...penguinRow, sex: "male" });
        const args = [service.baseUrl, service.grpcTarget, slug, "v1", "v2", row, "year"];
        const pinned = await execa(
          "uv",
          [
            "run",
            "--no-project",
            "--with",
            "tritonclient[http,grpc]",
            "python",
            "tritonclient_majors.py",
            ...args,
          ],
          { cwd: clientsDir, all: true, reject: false },
        );
        console.log(pinned.all);
        expect(pinned.exitCode, String(pinned.all)).toBe(0);
        expect(pinned.all).toMatch(/: 0 failed$/m);
      } finally {
        await service.stop();
      }
    } finally {
      await resetTo(head, refs);
    }
  });
});
