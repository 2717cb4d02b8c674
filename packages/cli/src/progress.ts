import { stripVTControlCharacters } from "node:util";
import type { StepProgress } from "@ds-service/generator";
import type { Logger } from "./io.js";

type Stream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/** Whether `stream` can show a step live: a terminal that draws, outside CI. */
export function showsLive(stream: Stream, env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI;
  const inCi = ci !== undefined && ci !== "" && ci !== "0" && ci !== "false";
  return stream.isTTY === true && !inCi && env.TERM !== "dumb";
}

/** The last line a chunk of tool output shows, without escape codes (progress redraws with \r). */
export function lastLine(text: string): string {
  const lines = stripVTControlCharacters(text)
    .split(/[\r\n]+/)
    .map((line) => line.trim());
  return lines.filter((line) => line !== "").at(-1) ?? "";
}

/**
 * `log`, showing each long step of `new` live on `stream` where it is a terminal outside CI: a
 * spinner with the step, its elapsed seconds and the running tool's latest line (uv's "Resolved
 * 142 packages in 1.2s"), ending in a line with the step's time. Elsewhere — CI logs, pipes —
 * `log` as it is, one plain line when a step starts and one when it ends. The spinner library is
 * loaded only when it will draw.
 */
export async function withLiveSteps(
  log: Logger,
  stream: Stream,
  env: NodeJS.ProcessEnv,
): Promise<Logger> {
  if (!showsLive(stream, env)) return log;
  const { default: yoctoSpinner } = await import("yocto-spinner");
  const step = (title: string): StepProgress => {
    const started = performance.now();
    let latest = "";
    let partial = ""; // a line the tool has not finished writing: shown once it has
    // Ctrl-C is the CLI's to handle (it cancels and cleans up): the spinner only draws.
    const spinner = yoctoSpinner({
      text: title,
      stream: stream as NodeJS.WriteStream,
      handleSignals: false,
    }).start();
    const draw = () => {
      const elapsed = Math.floor((performance.now() - started) / 1000);
      const text = `${title} · ${elapsed} s${latest ? ` · ${latest}` : ""}`;
      const width = Math.max(20, (stream.columns || 80) - 3);
      spinner.text = text.length > width ? `${text.slice(0, width - 1)}…` : text;
    };
    const ticking = setInterval(draw, 1000);
    ticking.unref();
    return {
      output: (text) => {
        const ended = Math.max(
          (partial + text).lastIndexOf("\n"),
          (partial + text).lastIndexOf("\r"),
        );
        const complete = (partial + text).slice(0, ended + 1);
        partial = (partial + text).slice(ended + 1);
        const line = lastLine(complete);
        if (line === "") return;
        latest = line;
        draw();
      },
      done: (seconds) => {
        clearInterval(ticking);
        spinner.success(`${title} — done in ${seconds.toFixed(1)} s`);
      },
      failed: () => {
        clearInterval(ticking);
        spinner.error(title);
      },
    };
  };
  return { ...log, step };
}
