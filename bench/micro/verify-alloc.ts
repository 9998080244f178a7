/**
 * Bytes allocated per `scheme.verifySync` + parse at 1 KiB, beside the bare HMAC + `JSON.parse` (the
 * verify benchmark's limit row). A young generation too large to be collected during a batch makes
 * the heap's growth over the batch the bytes allocated (a median of nine batches of 20,000);
 * unlike a time, the count does not move with the machine's load:
 *
 *   node --expose-gc --max-semi-space-size=512 --min-semi-space-size=512 --import tsx micro/verify-alloc.ts
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { type Scheme, schemes } from "@hookgate/core";
import { body } from "../verify/body.js";

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc (and a young generation of 512 MB, as above)");
const SECRET = "bench_secret_8f3a9c2e7d";
const SW_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const raw = body(1024);
const ts = String(Math.floor(Date.now() / 1000));
const expected = createHmac("sha256", SECRET).update(`${ts}.`).update(raw).digest();
const options = { tolerance: Number.POSITIVE_INFINITY };

async function verifying(scheme: Scheme): Promise<() => unknown> {
  const headers = await scheme.sign!({ id: "msg_1", rawBody: raw, type: "issues" });
  const input = { headers, rawBody: raw };
  return () => scheme.verifySync(input, options);
}

const rows: Record<string, () => unknown> = {
  "limit: HMAC-SHA256 + timingSafeEqual + JSON.parse": () => {
    const actual = createHmac("sha256", SECRET).update(`${ts}.`).update(raw).digest();
    if (!timingSafeEqual(actual, expected)) throw new Error("mismatch");
    return JSON.parse(raw.toString("utf8"));
  },
  "github verifySync": await verifying(schemes.github({ secret: SECRET })),
  "stripe verifySync": await verifying(schemes.stripe({ secret: SECRET })),
  "standardWebhooks verifySync": await verifying(schemes.standardWebhooks({ secret: SW_SECRET })),
};

const batch = 20_000;
for (const [name, run] of Object.entries(rows)) {
  for (let i = 0; i < 50_000; i++) run();
  const bytes: number[] = [];
  for (let round = 0; round < 9; round++) {
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < batch; i++) run();
    bytes.push((process.memoryUsage().heapUsed - before) / batch);
  }
  bytes.sort((a, b) => a - b);
  console.log(`${name}: ${Math.round(bytes[4]!)} bytes per call`);
}
