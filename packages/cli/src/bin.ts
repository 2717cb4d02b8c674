#!/usr/bin/env node
import { run } from "./main.js";

// Ctrl-C / SIGTERM during generation abort the write, which removes what it staged.
const controller = new AbortController();
const onSignal = (signal: NodeJS.Signals) => {
  if (controller.signal.aborted) process.exit(130); // a second Ctrl-C: stop waiting
  controller.abort(signal);
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

process.exitCode = await run(process.argv.slice(2), { signal: controller.signal });
