import readline from "node:readline";
import { Writable } from "node:stream";
import { stripVTControlCharacters } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Logger } from "./io.js";
import { lastLine, showsLive, withLiveSteps } from "./progress.js";

/** A terminal that records what is drawn on it, moving the cursor as a tty.WriteStream does. */
function terminal(isTTY = true) {
  const written: string[] = [];
  const writable = new Writable({
    write(chunk, _encoding, done) {
      written.push(String(chunk));
      done();
    },
  });
  const stream = Object.assign(writable, {
    isTTY,
    columns: 100,
    cursorTo: (x: number) => readline.cursorTo(writable, x),
    moveCursor: (dx: number, dy: number) => readline.moveCursor(writable, dx, dy),
    clearLine: (dir: -1 | 0 | 1) => readline.clearLine(writable, dir),
  });
  return { stream, text: () => written.join("") };
}

const log: Logger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  bold: (t) => t,
};

afterEach(() => vi.unstubAllEnvs());

describe("live steps", () => {
  it("only on a terminal that draws, outside CI", () => {
    expect(showsLive(terminal().stream, {})).toBe(true);
    expect(showsLive(terminal(false).stream, {})).toBe(false);
    expect(showsLive(terminal().stream, { CI: "true" })).toBe(false);
    expect(showsLive(terminal().stream, { CI: "false" })).toBe(true);
    expect(showsLive(terminal().stream, { TERM: "dumb" })).toBe(false);
  });

  it("a pipe or CI keeps the plain logger: one line per step, no escape codes", async () => {
    expect(await withLiveSteps(log, terminal(false).stream, {})).toBe(log);
    expect((await withLiveSteps(log, terminal().stream, { CI: "1" })).step).toBeUndefined();
  });

  it("on a terminal: a spinner with the step and the tool's latest line, then the step's time", async () => {
    vi.stubEnv("CI", undefined); // the spinner library reads the process's own CI too
    const { stream, text } = terminal();
    const live = await withLiveSteps(log, stream, {});
    const step = live.step?.("Installing dependencies with uv (uv lock, uv sync)");
    step?.output("\u001b[2mResolved 142 packages in 1.20s\u001b[0m\n + alem");
    step?.output("bic==1.0\n + pan");
    step?.done(3.24);
    const drawn = text();
    expect(drawn).toContain("Installing dependencies with uv (uv lock, uv sync) · 0 s");
    expect(drawn).toContain("· Resolved 142 packages in 1.20s");
    // A line arriving in pieces is shown whole, once the tool has finished it.
    expect(drawn).toContain("· + alembic==1.0");
    expect(drawn).not.toMatch(/· \+ (alem|pan)\b/);
    expect(drawn).toContain("Installing dependencies with uv (uv lock, uv sync) — done in 3.2 s");
    // Redrawn in place: the spinner erases its line rather than printing a new one each time.
    expect(drawn).toMatch(/\u001b\[(2K|1G|G)/);

    const failing = live.step?.("Tuning the model on your data (make tune)");
    failing?.failed();
    expect(stripVTControlCharacters(text())).toMatch(
      /[✖×] Tuning the model on your data \(make tune\)\n/,
    );
  });

  it("reads the last line a tool drew, without its escape codes or carriage returns", () => {
    expect(lastLine("Resolved 3 packages\n")).toBe("Resolved 3 packages");
    expect(lastLine("\u001b[1mPrepared 1/9\rPrepared 9/9\u001b[0m\r")).toBe("Prepared 9/9");
    expect(lastLine("\n\n")).toBe("");
  });
});
