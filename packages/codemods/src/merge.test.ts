import { describe, expect, it } from "vitest";
import { threeWayMerge, twoWayConflict } from "./merge.js";

const base = "a\nb\nc\nd\ne\n";

describe("threeWayMerge", () => {
  it("keeps both sides' changes to different places", () => {
    const ours = "a\nB (mine)\nc\nd\ne\n";
    const theirs = "a\nb\nc\nd\nE (template)\n";
    expect(threeWayMerge(ours, base, theirs)).toEqual({
      content: "a\nB (mine)\nc\nd\nE (template)\n",
      conflict: false,
    });
  });

  it("takes one side when the other did not change", () => {
    expect(threeWayMerge(base, base, "x\n").content).toBe("x\n");
    expect(threeWayMerge("x\n", base, base).content).toBe("x\n");
  });

  it("marks a conflict with git's markers and loses neither side", () => {
    const r = threeWayMerge("a\nMINE\nc\nd\ne\n", base, "a\nTHEIRS\nc\nd\ne\n");
    expect(r.conflict).toBe(true);
    expect(r.content).toMatch(/^<<<<<<< yours\nMINE\n/m);
    expect(r.content).toMatch(/^=======\nTHEIRS\n>>>>>>> template$/m);
  });

  it("keeps a missing final newline", () => {
    expect(threeWayMerge("a\nb", "a\nb", "a\nc").content).toBe("a\nc");
  });

  it("keeps the project's dropped final newline while the template changes the last line", () => {
    expect(threeWayMerge("A\nb\nc\nd\ne", base, "a\nb\nc\nd\nE\n")).toEqual({
      content: "A\nb\nc\nd\nE",
      conflict: false,
    });
  });

  it("keeps the project's CRLF, and writes a conflict in it", () => {
    const crlf = (s: string) => s.replaceAll("\n", "\r\n");
    expect(threeWayMerge(crlf("a\nB\nc\nd\ne\n"), base, "a\nb\nc\nd\nE\n").content).toBe(
      crlf("a\nB\nc\nd\nE\n"),
    );
    const r = threeWayMerge(crlf("a\nMINE\nc\nd\ne\n"), base, "a\nTHEIRS\nc\nd\ne\n");
    expect(r.conflict).toBe(true);
    expect(r.content).not.toMatch(/(?<!\r)\n/);
  });

  // Found by upgrade.property.test.ts: a base without any newline has no line ending to keep,
  // so a newline the project added is the project's choice, not the template's.
  it("keeps the project's line ending when the base had none", () => {
    expect(threeWayMerge("a\n", "a", "a\r\n").content).toBe("a\n");
    expect(threeWayMerge("a", "a", "a\r\nb").content).toBe("a\r\nb");
  });

  // Found by upgrade.property.test.ts: a mixed file the project turned to LF stays LF.
  it("keeps the project's line ending when it made a mixed file consistent", () => {
    expect(threeWayMerge("a\na\na", "a\r\na\na", "a\r\na\r\na").content).toBe("a\na\na");
  });

  // Found by upgrade.property.test.ts (seed 909403128): the template's lines, CRLF inside a
  // mixed file, came into a project that turned the file to LF and made it mixed again.
  it("writes a mixed-ending template's lines in the project's LF", () => {
    const r = threeWayMerge("a\nd\na", "a\r\nd\na", "a\r\na\r\nd\na\r\n");
    expect(r.content).not.toContain("\r");
  });

  // Found by upgrade.property.test.ts (seed 913214163): a project that dropped the final
  // newline, merged with a mixed template whose last line ended in CRLF, kept that line's CR.
  it("drops the whole CRLF of the last line when the project dropped its final newline", () => {
    expect(threeWayMerge("a", "a\n", "a\na\nd\r\n").content).toBe("a\na\nd");
  });

  it("leaves a file of mixed line endings as it is where the template did not change it", () => {
    const mixed = "a\r\nb\nc\nd\ne\n";
    expect(threeWayMerge(mixed, base, "a\nb\nc\nd\nE\n").content).toBe("a\r\nb\nc\nd\nE\n");
  });
});

describe("twoWayConflict", () => {
  it("wraps both whole files", () => {
    expect(twoWayConflict("x", "y\n")).toBe("<<<<<<< yours\nx\n=======\ny\n>>>>>>> template\n");
  });

  // Found by upgrade.property.test.ts: a template line ending in CRLF gained a second CR.
  it("writes a mixed-ending template's CRLF lines with one CR", () => {
    expect(twoWayConflict("a\r\nb\r\n", "c\r\na\n")).toBe(
      "<<<<<<< yours\r\na\r\nb\r\n=======\r\nc\r\na\r\n>>>>>>> template\r\n",
    );
    const r = threeWayMerge("x\r\nb\r\n", "a\nb\r\n", "y\nb\r\n");
    expect(r.conflict).toBe(true);
    expect(r.content).not.toContain("\r\r");
  });

  it("is written in the project's line endings", () => {
    expect(twoWayConflict("x\r\n", "y\n")).toBe(
      "<<<<<<< yours\r\nx\r\n=======\r\ny\r\n>>>>>>> template\r\n",
    );
  });
});
