/**
 * `bench/verify`: verify + parse per delivery at 1, 16 and 256 KiB, every row in one process, in
 * alternating rounds (each round runs every row once, in a rotated order), reporting each row's
 * median CPU time per delivery and its ratio to its limit row (limit time / row time, paired per
 * round). Ratios, not absolute times, are what to compare.
 */
import { forceWebCrypto } from "../../packages/core/src/internal/crypto.js";
import { flag, markdownTable, median, num } from "../lib/table.js";
import { body, type Row, rowsFor } from "./rows.js";

async function batch(row: Row, iterations: number): Promise<number> {
  forceWebCrypto(row.web === true);
  try {
    // CPU time of the whole process (Web Crypto's thread pool included), not wall time: on a
    // shared machine, time spent descheduled is not the code's and would swamp the ratios.
    const started = process.cpuUsage();
    for (let i = 0; i < iterations; i++) {
      const result = row.run();
      if (result instanceof Promise) await result;
    }
    const used = process.cpuUsage(started);
    return (used.user + used.system) / iterations;
  } finally {
    forceWebCrypto(false);
  }
}

/** Iterations that take about `ms` milliseconds (after a warm-up). */
async function calibrate(row: Row, ms: number): Promise<number> {
  let n = 1;
  for (;;) {
    const perOpUs = await batch(row, n);
    if (perOpUs * n >= ms * 1000 || n >= 1 << 20) return Math.max(1, Math.round((ms * 1000) / perOpUs));
    n *= 2;
  }
}

/** Runs the verify benchmark and returns its markdown table. */
export async function runVerify(argv: readonly string[]): Promise<string> {
  const rounds = Number(flag(argv, "rounds") ?? 9);
  const batchMs = Number(flag(argv, "batch-ms") ?? 20);
  const sizes = (flag(argv, "sizes") ?? "1024,16384,262144").split(",").map(Number);
  // `--rows <regex>`: only the rows whose name matches (and their limit rows).
  const only = flag(argv, "rows");
  const keep = only === undefined ? undefined : new RegExp(only);
  const medians = new Map<string, Map<number, number>>();
  const ratioMedians = new Map<string, number>();
  const order: Row[] = [];
  for (const size of sizes) {
    const all = await rowsFor(body(size));
    const wanted = all.filter((r) => keep === undefined || keep.test(r.name));
    const rows = all.filter((r) => wanted.includes(r) || wanted.some((w) => w.reference === r.name));
    const iterations = new Map<Row, number>();
    for (const row of rows) iterations.set(row, await calibrate(row, batchMs));
    // Each round times every row (in a rotated order) right after its limit row, so a ratio is
    // taken between two neighbouring batches; the reported ratio is the median of those.
    const samples = new Map<Row, number[]>(rows.map((r) => [r, []]));
    const ratios = new Map<Row, number[]>(rows.map((r) => [r, []]));
    const byName = new Map(rows.map((r) => [r.name, r]));
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < rows.length; i++) {
        const row = rows[(i + round) % rows.length]!;
        if (row.reference === row.name) continue;
        const limit = byName.get(row.reference)!;
        const limitUs = await batch(limit, iterations.get(limit)!);
        const rowUs = await batch(row, iterations.get(row)!);
        samples.get(limit)!.push(limitUs);
        samples.get(row)!.push(rowUs);
        ratios.get(row)!.push(limitUs / rowUs);
      }
    }
    for (const row of rows) {
      if (!medians.has(row.name)) {
        medians.set(row.name, new Map());
        order.push(row);
      }
      medians.get(row.name)!.set(size, median(samples.get(row)!));
      ratioMedians.set(`${row.name}@${size}`, median(ratios.get(row)!));
    }
    process.stderr.write(`verify: ${size / 1024} KiB done\n`);
  }
  const header = ["row", ...sizes.flatMap((s) => [`${s / 1024} KiB µs`, "ratio"])];
  const rows = order.map((row) => [
    row.name,
    ...sizes.flatMap((size) => {
      const us = medians.get(row.name)!.get(size)!;
      // The paired ratio the note below describes (a quotient of two medians would mix rounds).
      const ratio = ratioMedians.get(`${row.name}@${size}`)!;
      return [num(us, us < 100 ? 1 : 0), row.reference === row.name ? "limit" : `${ratio.toFixed(2)}×`];
    }),
  ]);
  return `${markdownTable(header, rows)}

Median CPU µs per verify + parse (process CPU time, thread pool included) over ${rounds} alternating rounds;
ratio = median over rounds of (limit time / row time), each row timed right after its limit row
(1.00× = as cheap as the bare crypto + JSON.parse; above 1 where hookgate skips work the bare code repeats,
e.g. it imports the HMAC key once). HMAC rows and the SDK rows are against the node:crypto
HMAC-SHA256 limit, "(Web Crypto)" rows against the Web Crypto limit, Ed25519 against its own on each path,
Twilio (both paths) against a node:crypto SHA-256 + HMAC-SHA1 limit.`;
}
