import { fileURLToPath } from "node:url";
import type { run } from "../main.js";
import { loadCached } from "./compile-cache.js";

/**
 * What both bins (`ds-service` and `create-ds-service`) do: load the CLI bundle through the
 * compile cache, wire Ctrl-C and SIGTERM to cancel a generation or an upgrade in progress, run,
 * set the exit code. `prefix` is prepended to the user's arguments (`create-ds-service` is `new`).
 */
export async function launch(prefix: readonly string[] = []): Promise<void> {
  const cli = loadCached<{ run: typeof run }>(fileURLToPath(new URL("./cli.cjs", import.meta.url)));
  // `ds-service … | head` closes the pipe early. The rest of the output then has no reader,
  // which is no reason to crash mid-command (a generation would stop before its git commit).
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
    });
  }
  // Ctrl-C / SIGTERM during generation abort the write, which removes what it staged; during an
  // upgrade they roll back its transaction.
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130); // a second Ctrl-C: stop waiting
    controller.abort(signal);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.exitCode = await cli.exports.run([...prefix, ...process.argv.slice(2)], {
    signal: controller.signal,
  });
  cli.persist();
}
