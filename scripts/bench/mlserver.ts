// The serving benchmark's peer: MLServer (PyPI), the server a platform team would otherwise put
// in front of the same scikit-learn artifact. It runs with its defaults, as a team would deploy
// it (one inference worker process beside the HTTP process, an access log line per request, as
// the service logs one), in its own virtualenv with the project's scikit-learn version, so it
// unpickles exactly the Pipeline the service serves.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { freePort, type Server, startServer } from "../e2e/serve.js";

/** Pinned, so a run next month measures the same peer. */
export const MLSERVER_VERSION = "1.7.1";

/** A virtualenv with MLServer and the project's scikit-learn; reused across runs. */
async function mlserverEnv(projectDir: string): Promise<string> {
  const sklearn = (
    await execa("uv", [
      "run",
      "--project",
      projectDir,
      "python",
      "-c",
      "import sklearn; print(sklearn.__version__)",
    ])
  ).stdout.trim();
  const venv = path.join(os.tmpdir(), `ds-service-mlserver-${MLSERVER_VERSION}-sklearn-${sklearn}`);
  const python = path.join(venv, "bin", "python");
  const ready = path.join(venv, ".installed");
  if (await fs.stat(ready).catch(() => undefined)) return venv;
  await execa("uv", ["venv", "--quiet", "--python", "3.11", venv]);
  await execa(
    "uv",
    [
      "pip",
      "install",
      "--quiet",
      "--python",
      python,
      `mlserver==${MLSERVER_VERSION}`,
      `mlserver-sklearn==${MLSERVER_VERSION}`,
      `scikit-learn==${sklearn}`,
      // uvloop 0.22 refuses asyncio.get_event_loop() without a running loop, which MLServer
      // 1.7's inference worker calls at start: the worker dies and the model never loads.
      "uvloop<0.22",
    ],
    { timeout: 600_000 },
  );
  await fs.writeFile(ready, "");
  return venv;
}

/**
 * Serve `<projectDir>/artifacts/model.joblib` with MLServer's scikit-learn runtime under the
 * model's own name, so the same `/v2/models/<name>/infer` URL and body reach both servers.
 */
export async function startMlserver(projectDir: string, modelName: string): Promise<Server> {
  const venv = await mlserverEnv(projectDir);
  const models = await fs.mkdtemp(path.join(os.tmpdir(), "ds-service-mlserver-models-"));
  const model = path.join(models, modelName);
  await fs.mkdir(model);
  await fs.copyFile(
    path.join(projectDir, "artifacts", "model.joblib"),
    path.join(model, "model.joblib"),
  );
  await fs.writeFile(
    path.join(model, "model-settings.json"),
    JSON.stringify({
      name: modelName,
      implementation: "mlserver_sklearn.SKLearnModel",
      parameters: { uri: "./model.joblib" },
    }),
  );
  // startServer hands out PORT and GRPC_PORT; MLServer reads MLSERVER_* (its metrics server
  // needs a third port).
  const metricsPort = await freePort();
  const server = await startServer(
    "sh",
    [
      "-c",
      'MLSERVER_HTTP_PORT="$PORT" MLSERVER_GRPC_PORT="$GRPC_PORT" exec "$VENV/bin/mlserver" start "$MODELS"',
    ],
    {
      cwd: models,
      env: {
        VENV: venv,
        MODELS: models,
        MLSERVER_HOST: "127.0.0.1",
        MLSERVER_METRICS_PORT: String(metricsPort),
      },
      readyPath: `/v2/models/${modelName}/ready`,
    },
  );
  return {
    ...server,
    stop: async () => {
      await server.stop();
      await fs.rm(models, { recursive: true, force: true });
    },
  };
}
