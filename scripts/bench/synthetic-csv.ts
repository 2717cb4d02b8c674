// A synthetic customer table shaped like the CSVs `new --data` meets: an integer id, a date,
// numbers with gaps, text categories (one with gaps), a binary target that depends on them.
// Written in blocks of rows, so the generator stays small whatever size is asked for.

import { once } from "node:events";
import { createWriteStream } from "node:fs";

export const SYNTHETIC = {
  target: "churned",
  id: "customer_id",
  time: "signup_date",
} as const;

const HEADER =
  "customer_id,signup_date,age,monthly_spend,tenure_months,support_calls,plan,region,channel,churned\n";
const PLANS = ["basic", "basic", "basic", "standard", "standard", "premium"];
const REGIONS = ["north", "south", "east", "west", "central", "coast", "mountain", "islands"];
const CHANNELS = ["web", "store", "phone", "partner"];
const BLOCK_ROWS = 10_000;

/** mulberry32: a small seeded generator, so every run writes the same file. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** 2000 consecutive days from 2019-01-01, formatted once (a Date per row would dominate). */
const DAYS = Array.from({ length: 2000 }, (_, i) =>
  new Date(Date.UTC(2019, 0, 1 + i)).toISOString().slice(0, 10),
);

function pick<T>(values: readonly T[], u: number): T {
  return values[Math.floor(u * values.length)] as T;
}

function row(id: number, random: () => number): string {
  const day = Math.floor(random() * DAYS.length);
  const age = 18 + Math.floor(random() * 70);
  // Log-normal-ish spend: a long right tail, as money has.
  const spend = Math.exp(3 + random() + random() + random());
  const tenure = Math.min(120, Math.floor((DAYS.length - day) / 30));
  const calls = Math.floor(-Math.log(1 - random()) * 1.5);
  const plan = pick(PLANS, random());
  const region = pick(REGIONS, random());
  const channel = pick(CHANNELS, random());
  const risk = 0.35 * calls - 0.03 * tenure + (plan === "basic" ? 0.8 : 0) - 1;
  const churned = random() < 1 / (1 + Math.exp(-risk)) ? 1 : 0;
  return [
    id,
    DAYS[day],
    random() < 0.015 ? "" : age,
    random() < 0.03 ? "" : spend.toFixed(2),
    tenure,
    random() < 0.05 ? "" : calls,
    plan,
    random() < 0.005 ? "" : region,
    channel,
    churned,
  ].join(",");
}

/** Writes about `targetBytes` of CSV to `file`; returns the number of data rows. */
export async function writeSyntheticCsv(file: string, targetBytes: number): Promise<number> {
  const out = createWriteStream(file);
  const random = generator(13);
  let bytes = Buffer.byteLength(HEADER);
  let rows = 0;
  out.write(HEADER);
  while (bytes < targetBytes) {
    const lines: string[] = [];
    for (let i = 0; i < BLOCK_ROWS && bytes < targetBytes; i++) {
      const line = `${row(rows, random)}\n`;
      lines.push(line);
      bytes += line.length;
      rows += 1;
    }
    if (!out.write(lines.join(""))) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  return rows;
}
