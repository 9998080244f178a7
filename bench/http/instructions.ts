/**
 * A fixed amount of receiver work for `valgrind --tool=callgrind` or `node --cpu-prof`: `N` calls
 * of `receiver.handle` in-process on prepared, signed 1 KiB requests, each with a new id, on the
 * production path (memoryStore dedupe, `memoryQueue({ concurrency: 4 })` hand-off, 202), the same
 * with a full store that evicts a key per delivery (`full`, the steady state of a busy receiver),
 * handlers inline (`inline`), or the bare HMAC + parse (`limit`). Per delivery is the difference
 * of two runs (N minus a smaller N) over their difference; run node with `--single-threaded`.
 *
 *   npx tsx --tsconfig tsconfig.json http/instructions.ts <queued|full|inline|limit> <N>
 */
import { createReceiver, memoryQueue, memoryStore, schemes } from "@hookgate/core";
import { bareVerifyAndParse, payload, SECRET, signer } from "./deliveries.js";

const [mode = "queued", countArg = "6000"] = process.argv.slice(2);
const count = Number(countArg);
const body = payload(1024);
const sign = signer(body);
const requests = Array.from({ length: count }, () => {
  const { headers } = sign();
  return { method: "POST", headers, rawBody: Buffer.from(body) };
});

async function main(): Promise<void> {
  let sink = 0;
  if (mode === "limit") {
    sink = bareVerifyAndParse(requests);
  } else {
    const receiver = createReceiver({
      scheme: schemes.standardWebhooks({ secret: SECRET }),
      tolerance: 3600,
      ...(mode === "inline" ? {} : { queue: memoryQueue({ concurrency: 4, maxPending: count + 1 }) }),
      ...(mode === "full" ? { store: memoryStore({ maxKeys: 1000 }) } : {}),
    });
    receiver.onAny(() => {});
    for (const request of requests) sink += (await receiver.handle(request)).status;
  }
  process.stdout.write(`${mode} ${sink}\n`);
}

await main();
