/**
 * What the GC does per HTTP request of one bench server, from V8's own trace: bytes promoted to
 * the old generation, and the young- and old-generation collections' time (pauses, and the old
 * generation's marking on background threads), per request:
 *
 *   npx tsx http/gc.ts <server.mjs> <framework> <mode> [warm-up=110000] [measured=60000]
 *
 * `server.mjs` is `bench/http/server.ts` bundled with esbuild (bench/README.md). The server runs
 * with `node --trace-gc-nvp`, pinned to CPU 0; it answers `warm-up` signed 1 KiB deliveries (past
 * 100,000, memoryStore is full and evicting, the steady state of a busy receiver), then the
 * measured ones. Each new key a store keeps is promoted once it outlives two young collections,
 * and what is promoted is what the old generation's collections then trace: the promotion rate
 * is the number to compare; the times move with the machine's load.
 */
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import autocannon from "autocannon";
import { checkNewDeliveries, payload, providerFromEnv, signer } from "./deliveries.js";

const [script, framework, mode, warmArg = "110000", measuredArg = "60000"] = process.argv.slice(2);
// `PROVIDER=github` (or `stripe`) sends that provider's deliveries, as `cpu.ts` does.
const provider = providerFromEnv();
if (!script || !framework || !mode)
  throw new Error("usage: gc.ts <server.mjs> <framework> <mode> [warm-up] [measured]");

const child = spawn(
  "taskset",
  ["-c", "0", process.execPath, "--trace-gc-nvp", resolve(script), framework, mode, provider],
  {
    stdio: ["ignore", "pipe", "inherit"],
  },
);
const lines: string[] = [];
let partial = "";
const port = await new Promise<number>((done, fail) => {
  child.stdout!.on("data", (chunk: Buffer) => {
    const text = partial + chunk.toString("utf8");
    const split = text.split("\n");
    partial = split.pop()!;
    for (const line of split) {
      if (line.startsWith("{")) done(JSON.parse(line).port);
      else lines.push(line);
    }
  });
  child.on("exit", (code) => fail(new Error(`server exited with ${code}`)));
});

async function send(amount: number): Promise<void> {
  const body = payload(1024, provider);
  const sign = signer(body, provider);
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/webhooks`,
    connections: 50,
    amount,
    requests: [{ method: "POST", body, setupRequest: (request) => ({ ...request, ...sign() }) }],
  });
  if (result.non2xx || result.errors) throw new Error(`non2xx ${result.non2xx} errors ${result.errors}`);
  checkNewDeliveries("gc.ts:", mode!, result.statusCodeStats?.["200"]?.count);
}

await send(Number(warmArg));
await new Promise((done) => setTimeout(done, 200));
const from = lines.length;
const measured = Number(measuredArg);
await send(measured);
await new Promise((done) => setTimeout(done, 200));
child.kill("SIGTERM");

let promoted = 0;
const pauses: Record<string, { count: number; ms: number }> = {};
let backgroundMarkMs = 0;
for (const line of lines.slice(from)) {
  const fields = new Map<string, string>();
  for (const match of line.matchAll(/(\S+)=(\S+)/g)) fields.set(match[1]!, match[2]!);
  const kind = fields.get("gc");
  if (!kind) continue;
  const entry = (pauses[kind] ??= { count: 0, ms: 0 });
  entry.count++;
  entry.ms += Number(fields.get("pause"));
  if (kind === "s") promoted += Number(fields.get("promoted"));
  if (kind === "mc") backgroundMarkMs += Number(fields.get("background.mark") ?? 0);
}
const us = (ms: number) => ((ms * 1000) / measured).toFixed(2);
const young = pauses.s ?? { count: 0, ms: 0 };
const old = pauses.mc ?? { count: 0, ms: 0 };
console.log(
  `${framework} ${mode} (${script}): ${(promoted / measured).toFixed(1)} bytes promoted/request; ` +
    `young ${young.count}× ${us(young.ms)} µs/request; old ${old.count}× ${us(old.ms)} µs/request paused + ${us(backgroundMarkMs)} marking in the background`,
);
