#!/usr/bin/env node
import { run } from "@ds-service/cli";

// `pnpm create ds-service <dir> [flags]` is `ds-service new <dir> [flags]`.
const controller = new AbortController();
const onSignal = (signal: NodeJS.Signals) => {
  if (controller.signal.aborted) process.exit(130);
  controller.abort(signal);
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

process.exitCode = await run(["new", ...process.argv.slice(2)], { signal: controller.signal });
