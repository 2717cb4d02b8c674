import { describe, expect, it } from "vitest";
import { syncArgs } from "./install.js";

describe("syncArgs", () => {
  it("compiles the libraries' bytecode once where Python may not cache it", () => {
    expect(syncArgs({})).toEqual(["sync"]);
    expect(syncArgs({ PYTHONDONTWRITEBYTECODE: "1" })).toEqual(["sync", "--compile-bytecode"]);
  });
});
