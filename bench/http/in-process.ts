/**
 * Time per delivery in-process, by how much of the job runs, on the same 8,000 prepared, signed
 * 1 KiB Standard Webhooks requests, passed over `passes` times (the store cleared between passes):
 * `limit` (bare HMAC + parse), `verify` (`scheme.verifySync` + parse), `inline` (`receiver.handle`,
 * handlers inline) and `queued` (the production path: memoryStore, in-process `memoryQueue`). The
 * differences say which stage costs what; run it under `node --cpu-prof` or the heap sampler to see
 * inside one. Bundle it first (the packages' dist), as bench/README.md shows for the HTTP servers.
 *
 *   npx tsx --tsconfig tsconfig.json http/in-process.ts <limit|verify|inline|queued> [passes]
 */
import { createReceiver, memoryQueue, memoryStore, schemes } from "@hookgate/core";
import { bareVerifyAndParse, payload, SECRET, signer } from "./deliveries.js";

const [mode = "queued", passesArg = "30"] = process.argv.slice(2);
const body = payload(1024);
const sign = signer(body);
const requests = Array.from({ length: 8000 }, () => {
  const { headers } = sign();
  return { method: "POST", headers, rawBody: Buffer.from(body) };
});
const store = memoryStore();
const receiver = createReceiver({
  scheme: schemes.standardWebhooks({ secret: SECRET }),
  tolerance: 3600,
  store,
  queue: memoryQueue({ concurrency: 4, maxPending: 10000 }),
});
receiver.onAny(() => {});
async function limitPass() {
  return bareVerifyAndParse(requests);
}
const scheme = schemes.standardWebhooks({ secret: SECRET });
async function verifyPass() {
  let sink = 0;
  for (const { headers, rawBody } of requests)
    sink += Object.keys(
      scheme.verifySync!({ headers, rawBody }, { tolerance: 3600 }).payload as object,
    ).length;
  return sink;
}
const inlineStore = memoryStore();
const inline = createReceiver({ scheme, tolerance: 3600, store: inlineStore });
inline.onAny(() => {});
async function inlinePass() {
  let sink = 0;
  for (const request of requests) sink += (await inline.handle(request)).status;
  inlineStore.clear();
  return sink;
}
async function handlePass() {
  let sink = 0;
  for (const request of requests) sink += (await receiver.handle(request)).status;
  store.clear();
  return sink;
}
const t0 = performance.now();
let s = 0;
for (let i = 0; i < Number(passesArg); i++)
  s += await (
    { limit: limitPass, verify: verifyPass, inline: inlinePass, queued: handlePass } as Record<
      string,
      () => Promise<number>
    >
  )[mode]!();
await new Promise((r) => setTimeout(r, 50));
const ms = performance.now() - t0;
console.log(mode, s, ((ms * 1000) / (8000 * Number(passesArg))).toFixed(2), "µs/delivery");
