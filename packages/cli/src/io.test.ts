import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, type Io, useColor } from "./io.js";

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk, _enc, done) {
        chunks.push(String(chunk));
        done();
      },
    }),
    { isTTY },
  );
  return { stream, text: () => chunks.join("") };
}

const bold = "\u001b[1m";

describe("colour", () => {
  it("is decided per stream: a piped stdout gets no escape codes when stderr is a terminal", () => {
    const out = sink(false);
    const err = sink(true);
    const io: Io = { cwd: "/", env: {}, stdout: out.stream, stderr: err.stream, stdinIsTTY: false };
    const log = createLogger(io);
    log.info(`Created ${log.bold("proj")}`);
    log.warn("careful");
    expect(out.text()).toBe("Created proj\n");
    expect(err.text()).toContain("\u001b[33mwarning:");
  });

  it("colours a terminal stdout", () => {
    const out = sink(true);
    const io: Io = {
      cwd: "/",
      env: {},
      stdout: out.stream,
      stderr: sink(false).stream,
      stdinIsTTY: true,
    };
    const log = createLogger(io);
    log.info(log.bold("proj"));
    expect(out.text()).toContain(bold);
  });

  it("honours NO_COLOR over everything and FORCE_COLOR on a pipe", () => {
    expect(useColor({ isTTY: true }, { NO_COLOR: "1" })).toBe(false);
    expect(useColor({ isTTY: true }, { NO_COLOR: "1", FORCE_COLOR: "1" })).toBe(false);
    expect(useColor({ isTTY: false }, { FORCE_COLOR: "1" })).toBe(true);
    expect(useColor({ isTTY: false }, { FORCE_COLOR: "0" })).toBe(false);
    expect(useColor({ isTTY: true }, { NO_COLOR: "" })).toBe(true);
    expect(useColor({ isTTY: false }, {})).toBe(false);
  });
});
