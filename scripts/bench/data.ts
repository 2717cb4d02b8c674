// The `--data` path: how much memory profiling a large CSV takes (bounded by the chunk size, not
// the file), and CSV → green (`new --data` + `make check`) against the demo's time-to-green
// measured in the same run.

import { once } from "node:events";
import { createWriteStream } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { timeOnce } from "./measure.js";

/** A synthetic table shaped like real data: numbers with gaps, text categories, a 3-class label. */
export async function writeCsv(file: string, targetBytes: number): Promise<number> {
  const out = createWriteStream(file);
  out.write("id,amount,score,region,channel,tenure,label\n");
  const regions = ["north", "south", "east", "west", "central"];
  const channels = ["web", "store", "phone"];
  let bytes = 0;
  let rows = 0;
  let seed = 1;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  while (bytes < targetBytes) {
    const amount = random() < 0.02 ? "" : (random() * 1000).toFixed(2);
    const score = (random() * 10 - 5).toFixed(4);
    const region = regions[Math.floor(random() * regions.length)];
    const channel = random() < 0.01 ? "" : channels[Math.floor(random() * channels.length)];
    const tenure = Math.floor(random() * 120);
    const label =
      Number(score) + (region === "north" ? 2 : 0) > 1 ? "churn" : tenure > 60 ? "stay" : "upgrade";
    const line = `${rows},${amount},${score},${region},${channel},${tenure},${label}\n`;
    bytes += line.length;
    rows += 1;
    if (!out.write(line)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  return rows;
}

/** Peak resident memory (MiB) and seconds of the template's profiler on `file`. */
export async function profileMemory(
  root: string,
  file: string,
): Promise<{ mib: number; seconds: number }> {
  const profiler = path.join(root, "templates/service/template/src/__package__/io/profile.py");
  const out = `${file}.profile.json`;
  const uv = ["run", "--no-project", "--quiet", "--with", "pandas>=3.0", "--with", "pyarrow>=18"];
  // Warm uv's environment first, so the measured run is the profiler alone.
  await execa("uv", [...uv, "python", "-c", "import pandas"]);
  let report = "";
  const seconds = await timeOnce(async () => {
    const r = await execa("/usr/bin/time", [
      "-v",
      "uv",
      ...uv,
      "python",
      profiler,
      file,
      "--target",
      "label",
      "--id",
      "id",
      "--out",
      out,
    ]);
    report = r.stderr;
  });
  const kib = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(report)?.[1]);
  return { mib: kib / 1024, seconds };
}

/** `new --data` then `make check`, timed: what a team waits from its CSV to a green project. */
export async function csvToGreen(createBin: string, work: string, csv: string): Promise<number> {
  return timeOnce(async () => {
    const dir = path.join(work, "data-green");
    await execa(process.execPath, [
      createBin,
      dir,
      "--yes",
      "--data",
      csv,
      "--target",
      "label",
      "--id",
      "id",
    ]);
    await execa("make", ["check"], { cwd: dir });
  });
}

export async function fileMiB(file: string): Promise<number> {
  return (await fs.stat(file)).size / 2 ** 20;
}
