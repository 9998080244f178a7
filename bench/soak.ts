/**
 * Soak: minutes of mixed valid, duplicate and hostile webhook traffic, sent by a second process
 * over loopback to an Express app mounted like examples/express (webhookMiddleware on the webhook
 * routes, express.json() for the rest). Not part of the test run. Runs the built packages:
 *
 *   pnpm build && node --import tsx bench/soak.ts --minutes 2
 *
 * Options: --minutes N (2), --concurrency N (8), --store memory|redis (memory; redis needs
 * @hookgate/redis in this checkout and Redis at 127.0.0.1:6379), --max-keys N (5000).
 * Exits 1 when an invariant fails: handler runs equal unique valid deliveries, no delivery runs
 * twice, no 5xx.
 *
 * `--engine redis-bullmq` runs the other soak instead: its own Redis, two receivers and two
 * BullMQ workers as separate processes, a worker killed and Redis restarted mid-run
 * (bench/soak-redis-bullmq.ts).
 */
import { spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { Agent, createServer, request } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";
import vm from "node:vm";
import type * as Core from "@hookgate/core";
import type * as ExpressAdapter from "@hookgate/express";
import {
  answerLines,
  type Delivery,
  type Outcome,
  type SenderReport,
  type ServerReport,
} from "./soak-report.js";
import { OVERSIZED, soakTraffic } from "./soak-traffic.js";

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i]!.replace(/^--/, ""), process.argv[i + 1]!);
const minutes = Number(args.get("minutes") ?? 2);
const concurrency = Number(args.get("concurrency") ?? 8);
const storeKind = args.get("store") ?? "memory";
const maxKeys = Number(args.get("max-keys") ?? 5_000);
const here = fileURLToPath(import.meta.url);

/** The part of Express this script uses (its types live with the test workspace, not bench/). */
type Handler = (req: unknown, res: { json(body: unknown): unknown }, next: (error?: unknown) => void) => void;
interface ExpressApp {
  (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse): void;
  post(path: string, handler: Handler): unknown;
  get(path: string, handler: Handler): unknown;
  use(handler: unknown): unknown;
}
type ExpressFactory = (() => ExpressApp) & { json(): unknown };

// The built packages, resolved as an app in this workspace would (test/ depends on all of them).
const fromTests = createRequire(new URL("../test/package.json", import.meta.url));

const STRIPE_SECRET = process.env.SOAK_STRIPE_SECRET ?? `whsec_${randomBytes(24).toString("hex")}`;
const GITHUB_SECRET = process.env.SOAK_GITHUB_SECRET ?? randomBytes(24).toString("hex");

if (args.get("engine") === "redis-bullmq") {
  const { soakRedisBullmq } = await import("./soak-redis-bullmq.js");
  process.exit(await soakRedisBullmq(args));
} else if (args.has("engine") && args.get("engine") !== "memory") {
  console.error(`soak: unknown --engine ${args.get("engine")}; use redis-bullmq (or leave it out)`);
  process.exit(2);
} else if (args.get("role") === "sender") await sender(Number(args.get("port")));
else await server();

// ---- the app under test (this process) -------------------------------------------------------

async function makeStore(
  core: typeof Core,
): Promise<{ store: Core.IdempotencyStore; size: () => number | string; close: () => Promise<void> }> {
  if (storeKind === "memory") {
    const store = core.memoryStore({ maxKeys });
    return { store, size: () => store.size, close: async () => {} };
  }
  if (storeKind === "redis") {
    const redisPackage = new URL("../packages/redis/package.json", import.meta.url);
    if (!existsSync(redisPackage)) {
      console.error(
        "soak: --store redis needs packages/redis (@hookgate/redis) in this checkout; use --store memory",
      );
      process.exit(2);
    }
    const fromRedis = createRequire(redisPackage);
    // Loaded by name only: the package and its client are optional for this script.
    const redis = fromRedis("@hookgate/redis") as {
      redisStore: (options: { client: unknown; prefix: string }) => Core.IdempotencyStore;
    };
    const Redis = fromRedis("ioredis") as new (url: string) => { quit(): Promise<unknown> };
    const client = new Redis("redis://127.0.0.1:6379");
    const store = redis.redisStore({ client, prefix: `soak:${randomUUID()}:` });
    return { store, size: () => "n/a", close: async () => void (await client.quit()) };
  }
  console.error(`soak: unknown --store ${storeKind}; use memory or redis`);
  process.exit(2);
}

async function server(): Promise<void> {
  const core = fromTests("@hookgate/core") as typeof Core;
  const { webhookMiddleware } = fromTests("@hookgate/express") as typeof ExpressAdapter;
  const express = fromTests("express") as ExpressFactory;
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc") as () => void;

  const { store, size, close } = await makeStore(core);
  // Handler runs per delivery, by the sequence number every valid delivery's id ends with: a byte
  // per delivery, so this tally barely shows in the app's memory.
  let counts = new Uint8Array(1 << 16);
  const tally = { handlerRuns: 0, deliveriesRun: 0, runTwice: 0, unknownIds: 0 };
  const handler = async (event: { id: string }) => {
    tally.handlerRuns++;
    const seq = Number(/_(\d+)$/.exec(event.id)?.[1]);
    if (!Number.isSafeInteger(seq)) tally.unknownIds++;
    else {
      if (seq >= counts.length) {
        const grown = new Uint8Array(Math.max(seq + 1, counts.length * 2));
        grown.set(counts);
        counts = grown;
      }
      const runs = ++counts[seq]!;
      if (runs === 1) tally.deliveriesRun++;
      else if (runs === 2) tally.runTwice++;
    }
    // A little work, so duplicates sent meanwhile meet a delivery in flight.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
  };
  const stripe = core.createReceiver({ scheme: core.schemes.stripe({ secret: STRIPE_SECRET }), store });
  const github = core.createReceiver({ scheme: core.schemes.github({ secret: GITHUB_SECRET }), store });
  stripe.onAny(handler);
  github.onAny(handler);

  const app = express();
  app.post("/webhooks/stripe", webhookMiddleware(stripe) as unknown as Handler);
  app.post("/webhooks/github", webhookMiddleware(github) as unknown as Handler);
  app.use(express.json());
  app.get("/health", (_req, res) => void res.json({ ok: true }));
  const http = createServer(app);
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;

  const memory = () => {
    gc();
    const { rss, heapUsed } = process.memoryUsage();
    return { rss, heapUsed };
  };
  const start = memory();
  let peak = { ...start };
  const sampler = setInterval(() => {
    const { rss, heapUsed } = process.memoryUsage();
    peak = { rss: Math.max(peak.rss, rss), heapUsed: Math.max(peak.heapUsed, heapUsed) };
  }, 1000);
  // After-GC samples through the run: flat once the store reaches its bound.
  const startedAt = Date.now();
  const series: ServerReport["series"] = [];
  const seriesTimer = setInterval(
    () => {
      series.push({ second: Math.round((Date.now() - startedAt) / 1000), ...memory(), storeSize: size() });
    },
    Math.max(5_000, (minutes * 60_000) / 8),
  );

  console.error(`soak: Express app on 127.0.0.1:${port}, store ${storeKind}; sending for ${minutes} min…`);
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      here,
      "--role",
      "sender",
      "--port",
      String(port),
      "--minutes",
      String(minutes),
      "--concurrency",
      String(concurrency),
    ],
    {
      env: { ...process.env, SOAK_STRIPE_SECRET: STRIPE_SECRET, SOAK_GITHUB_SECRET: GITHUB_SECRET },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearInterval(sampler);
  clearInterval(seriesTimer);
  if (code !== 0) {
    console.error(`soak: the sender exited with ${code}`);
    process.exit(1);
  }
  const sent = JSON.parse(output) as SenderReport;
  const end = memory();
  const report: ServerReport = {
    ...tally,
    storeSize: size(),
    memory: { start, end, peak },
    series,
  };
  printReport(sent, report);
  http.closeAllConnections();
  http.close();
  await close();
  const ok =
    report.handlerRuns === sent.uniqueValid &&
    report.runTwice === 0 &&
    report.unknownIds === 0 &&
    sent.fiveHundreds === 0 &&
    sent.errors === 0;
  process.exit(ok ? 0 : 1);
}

function printReport(sent: SenderReport, server: ServerReport): void {
  const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;
  const lines = [
    `soak: ${sent.seconds.toFixed(0)} s, concurrency ${concurrency}, store ${storeKind}${storeKind === "memory" ? ` (maxKeys ${maxKeys})` : ""}, Node ${process.version}`,
    "",
    `requests: ${sent.requests} (${(sent.requests / sent.seconds).toFixed(0)}/s), no answer: ${sent.errors} (plus ${sent.resets} resets while sending a body over maxBodyBytes, which the server stops reading)`,
    ...answerLines(sent.byStatus, sent.byKind, "sent"),
    "",
    `unique valid deliveries acknowledged: ${sent.uniqueValid}`,
    `handler runs: ${server.handlerRuns} (deliveries run: ${server.deliveriesRun}, run more than once: ${server.runTwice}, under an id never sent as valid: ${server.unknownIds})`,
    `handler runs = unique valid deliveries: ${server.handlerRuns === sent.uniqueValid ? "yes" : "NO"}`,
    `5xx answers: ${sent.fiveHundreds}`,
    `store keys at end: ${server.storeSize}`,
    `memory (after GC) start: rss ${mb(server.memory.start.rss)}, heap ${mb(server.memory.start.heapUsed)}; end: rss ${mb(server.memory.end.rss)}, heap ${mb(server.memory.end.heapUsed)}; peak rss ${mb(server.memory.peak.rss)}, peak heap ${mb(server.memory.peak.heapUsed)}`,
    "",
    "| s | rss (after GC) | heap used (after GC) | store keys |",
    "|---:|---:|---:|---:|",
    `| 0 | ${mb(server.memory.start.rss)} | ${mb(server.memory.start.heapUsed)} | 0 |`,
    ...server.series.map((s) => `| ${s.second} | ${mb(s.rss)} | ${mb(s.heapUsed)} | ${s.storeSize} |`),
    `| end | ${mb(server.memory.end.rss)} | ${mb(server.memory.end.heapUsed)} | ${server.storeSize} |`,
  ];
  console.log(lines.join("\n"));
}

// ---- the second process: providers and a hostile sender --------------------------------------

async function sender(port: number): Promise<void> {
  const core = fromTests("@hookgate/core") as typeof Core;
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const deadline = Date.now() + minutes * 60_000;
  const started = performance.now();
  const report: SenderReport = {
    resets: 0,
    seconds: 0,
    requests: 0,
    errors: 0,
    byStatus: {},
    byKind: {},
    uniqueValid: 0,
    fiveHundreds: 0,
  };
  const traffic = soakTraffic(core, { stripe: STRIPE_SECRET, github: GITHUB_SECRET });

  const send = (delivery: Delivery): Promise<Outcome> =>
    new Promise((resolve) => {
      const body = typeof delivery.body === "string" ? Buffer.from(delivery.body) : delivery.body;
      const req = request(
        {
          host: "127.0.0.1",
          port,
          method: "POST",
          path: delivery.path,
          agent,
          headers: { ...delivery.headers, "content-length": String(body.byteLength) },
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve({ status: res.statusCode ?? 0 }));
        },
      );
      req.on("error", () => resolve({ status: 0 }));
      req.end(body);
    });

  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline) {
        const [name, , make, kind] = traffic.choose();
        const delivery = await make();
        if (!delivery) continue;
        // "twice at once": the second copy meets the first in flight (409) or completed (duplicate).
        const statuses = await Promise.all(
          kind === "twice" ? [send(delivery), send(delivery)] : [send(delivery)],
        );
        const byKind = (report.byKind[name] ??= {});
        for (const { status } of statuses) {
          report.requests++;
          // The server stops reading an oversized body and closes the connection: a sender still
          // writing may see the reset before the 413. Anywhere else, no answer is a failure.
          if (status === 0 && name === OVERSIZED) report.resets++;
          else if (status === 0) report.errors++;
          if (status >= 500) report.fiveHundreds++;
          report.byStatus[status] = (report.byStatus[status] ?? 0) + 1;
          byKind[status] = (byKind[status] ?? 0) + 1;
        }
        if (
          (kind === "valid" || kind === "twice") &&
          statuses.some(({ status }) => status >= 200 && status < 300)
        ) {
          report.uniqueValid++;
          traffic.remember(delivery);
        }
      }
    }),
  );
  agent.destroy();
  report.seconds = (performance.now() - started) / 1000;
  process.stdout.write(JSON.stringify(report));
}
