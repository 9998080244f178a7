/**
 * `bench/verify`: verify + parse per delivery at 1, 16 and 256 KiB, every row in one process, in
 * alternating rounds (each round runs every row once, in a rotated order), reporting each row's
 * median time per delivery and its ratio to its limit row (limit time / row time: 1.00× is the
 * limit, higher is impossible beyond noise). Ratios, not absolute times, are what to compare.
 */
import { forceWebCrypto } from "../../packages/core/src/internal/crypto.js";
import { flag, markdownTable, median, num } from "../lib/table.js";
import { body, type Row, rowsFor } from "./rows.js";

async function batch(row: Row, iterations: number): Promise<number> {
  forceWebCrypto(row.web === true);
  try {
    const started = performance.now();
    for (let i = 0; i < iterations; i++) {
      const result = row.run();
      if (result instanceof Promise) await result;
    }
    return ((performance.now() - started) * 1000) / iterations;
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
  const rounds = Number(flag(argv, "rounds") ?? 7);
  const batchMs = Number(flag(argv, "batch-ms") ?? 20);
  const sizes = [1024, 16 * 1024, 256 * 1024];
  const medians = new Map<string, Map<number, number>>();
  const order: Row[] = [];
  for (const size of sizes) {
    const rows = await rowsFor(body(size));
    const iterations = new Map<Row, number>();
    for (const row of rows) iterations.set(row, await calibrate(row, batchMs));
    const samples = new Map<Row, number[]>(rows.map((r) => [r, []]));
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < rows.length; i++) {
        const row = rows[(i + round) % rows.length]!;
        samples.get(row)!.push(await batch(row, iterations.get(row)!));
      }
    }
    for (const row of rows) {
      if (!medians.has(row.name)) {
        medians.set(row.name, new Map());
        order.push(row);
      }
      medians.get(row.name)!.set(size, median(samples.get(row)!));
    }
    process.stderr.write(`verify: ${size / 1024} KiB done\n`);
  }
  const header = ["row", ...sizes.flatMap((s) => [`${s / 1024} KiB µs`, "ratio"])];
  const rows = order.map((row) => [
    row.name,
    ...sizes.flatMap((size) => {
      const us = medians.get(row.name)!.get(size)!;
      const limit = medians.get(row.reference)!.get(size)!;
      return [
        num(us, us < 100 ? 1 : 0),
        row.reference === row.name ? "limit" : `${(limit / us).toFixed(2)}×`,
      ];
    }),
  ]);
  return `${markdownTable(header, rows)}

Median µs per verify + parse over ${rounds} alternating rounds; ratio = the row's limit time / the row's time
(1.00× = as cheap as the bare crypto + JSON.parse). HMAC rows and the SDK rows are against the node:crypto
HMAC-SHA256 limit, "(Web Crypto)" rows against the Web Crypto limit, Twilio and Ed25519 against their own.`;
}
