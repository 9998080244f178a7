/**
 * The Redis + BullMQ soak: `node --import tsx bench/soak.ts --engine redis-bullmq` (after
 * `pnpm build`). Not part of the test run.
 *
 * Starts its own redis-server on a free loopback port (6390 and up) with an append-only file
 * fsynced on every write, in a temporary directory; two receiver processes (Express, `redisStore`
 * + `bullmqQueue`) and two worker processes (`createWorker`) from bench/soak-redis-bullmq-node.ts.
 * This process is the senders: new genuine deliveries (retried on a 5xx, a 409 or no answer, as
 * providers do, for up to a minute), the same delivery sent to both receivers at once, copies of
 * acknowledged deliveries, replays under a fresh unsigned id, and hostile requests, to both
 * receivers. A third of the way in it SIGKILLs a worker (a replacement starts 2 s later); past
 * the middle it stops Redis (SIGTERM: a clean shutdown) and starts it again on the same port and
 * directory. Then it waits for the queues to drain and counts the handlers' runs from the files
 * the workers appended to.
 *
 * Options: --seconds N (90) of traffic, --concurrency N (8), --redis-port N (6390: the first free
 * port from there). Exits 1 when a delivery acknowledged with a 2xx was never handled (lost), a
 * delivery was handled twice (doubled), a handler ran under an id no genuine delivery carried, a
 * client mistake got a 5xx, a genuine delivery was refused with a 4xx, or the queues did not drain.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { createRequire } from "node:module";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type * as Core from "@hookgate/core";
import { answerLines, type Delivery, pick, soakQueueNames } from "./soak-report.js";
import { OVERSIZED, soakTraffic, type TrafficClass } from "./soak-traffic.js";

const nodeFile = fileURLToPath(new URL("./soak-redis-bullmq-node.ts", import.meta.url));
const fromTests = createRequire(new URL("../test/package.json", import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

interface Memory {
  rss: number;
  heapUsed: number;
  peakRss: number;
}
interface JobCounts {
  [state: string]: number;
}
interface CountingQueue {
  getJobCounts(...states: string[]): Promise<JobCounts>;
  on(event: "error", listener: (error: Error) => void): unknown;
  close(): Promise<void>;
}

/** A loopback port nothing listens on, from `from` up. */
async function freePort(from: number): Promise<number> {
  for (let port = from; port < from + 100; port++) {
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once("error", () => resolve(false));
      probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`soak: no free port in ${from}–${from + 99}`);
}

/** Resolves once Redis answers PING with PONG (not LOADING), within `timeoutMs`. */
async function redisReady(port: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const pong = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      let answer = "";
      socket.setTimeout(1000, () => socket.destroy());
      socket.on("connect", () => socket.write("PING\r\n"));
      socket.on("data", (chunk) => {
        answer += chunk;
        if (answer.includes("\r\n")) socket.end();
      });
      socket.on("close", () => resolve(answer.startsWith("+PONG")));
      socket.on("error", () => {});
    });
    if (pong) return;
    await sleep(50);
  }
  throw new Error(`soak: Redis on port ${port} did not answer within ${timeoutMs} ms`);
}

/** Resolves with the child's next IPC message that has `field`. */
function nextMessage<T>(child: ChildProcess, field: string, timeoutMs = 30_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off("message", listen);
      reject(new Error(`soak: process ${child.pid} sent no ${field} within ${timeoutMs} ms`));
    }, timeoutMs);
    const listen = (message: unknown) => {
      if (message && typeof message === "object" && field in message) {
        clearTimeout(timer);
        child.off("message", listen);
        resolve((message as Record<string, T>)[field]!);
      }
    };
    child.on("message", listen);
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

export async function soakRedisBullmq(args: Map<string, string>): Promise<number> {
  const seconds = Number(args.get("seconds") ?? 90);
  const concurrency = Number(args.get("concurrency") ?? 8);
  const dir = mkdtempSync(join(tmpdir(), "hookgate-soak-"));
  const children = new Set<ChildProcess>();
  let redis: ChildProcess | undefined;
  const secrets = {
    stripe: `whsec_${randomBytes(24).toString("hex")}`,
    github: randomBytes(24).toString("hex"),
  };

  const cleanUp = async () => {
    for (const child of children) child.kill("SIGKILL");
    await Promise.all([...children].map(exited));
    if (redis) {
      redis.kill("SIGKILL");
      await exited(redis);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const interrupted = () => void cleanUp().finally(() => process.exit(130));
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);
  try {
    const redisPort = await freePort(Number(args.get("redis-port") ?? 6390));
    const startRedis = async () => {
      redis = spawn(
        "redis-server",
        [
          "--port",
          String(redisPort),
          "--bind",
          "127.0.0.1",
          "--dir",
          dir,
          "--appendonly",
          "yes",
          "--appendfsync",
          "always",
          "--save",
          "",
          "--maxmemory-policy",
          "noeviction",
          "--logfile",
          join(dir, "redis.log"),
        ],
        { stdio: "ignore" },
      );
      await redisReady(redisPort);
    };
    await startRedis();

    const env = { ...process.env, SOAK_STRIPE_SECRET: secrets.stripe, SOAK_GITHUB_SECRET: secrets.github };
    const start = (role: string, extra: string[] = []) => {
      const child = spawn(
        process.execPath,
        ["--import", "tsx", nodeFile, "--role", role, "--redis-port", String(redisPort), ...extra],
        { env, stdio: ["ignore", "inherit", "inherit", "ipc"] },
      );
      children.add(child);
      return child;
    };
    let records = 0;
    const startWorker = async () => {
      const child = start("worker", ["--record", join(dir, `handled-${++records}.log`)]);
      await nextMessage(child, "ready");
      return child;
    };
    const receivers = [start("receiver"), start("receiver")];
    const ports = await Promise.all(receivers.map((child) => nextMessage<number>(child, "port")));
    const workers = await Promise.all([startWorker(), startWorker()]);
    const memory = () =>
      Promise.all(
        receivers.map((child) => {
          child.send("memory");
          return nextMessage<Memory>(child, "memory");
        }),
      );
    const memoryStart = await memory();
    console.error(
      `soak: Redis on 127.0.0.1:${redisPort} (append-only, fsync always, ${dir}); receivers on ${ports.join(", ")}; 2 workers; sending for ${seconds} s…`,
    );

    // ---- the senders ---------------------------------------------------------------------------
    const core = fromTests("@hookgate/core") as typeof Core;
    const traffic = soakTraffic(core, secrets);
    const agents = new Map(
      ports.map((port) => [port, new Agent({ keepAlive: true, maxSockets: concurrency * 2 })]),
    );
    const started = Date.now();
    const deadline = started + seconds * 1000;
    const events: { at: number; what: string }[] = [];
    let outage: { from: number; to: number } | undefined;
    const inOutage = (at: number) => outage !== undefined && at >= outage.from && at <= outage.to;

    const tally = {
      requests: 0,
      byStatus: {} as Record<string, number>,
      byKind: {} as Record<string, Record<string, number>>,
      /** 5xx answers to a request that must be refused (a client mistake or an attack). */
      hostileFiveHundreds: 0,
      /** 5xx answers to genuine deliveries and their copies while Redis was away (and 10 s after). */
      outageFiveHundreds: 0,
      /** The same, outside that window. */
      otherFiveHundreds: 0,
      /** No answer, other than a reset while sending an oversized body. */
      noAnswer: 0,
      resets: 0,
      /** Genuine deliveries refused with a 4xx other than 409. */
      validRefused: 0,
      /** Genuine deliveries still not acknowledged after their retries. */
      gaveUp: 0,
      retries: 0,
      /** Copies of acknowledged deliveries answered 202 (queued again instead of a duplicate). */
      copiesQueued: 0,
    };
    const sentValid = new Set<string>();
    const acknowledged = new Set<string>();

    const send = (delivery: Delivery, port: number): Promise<number> =>
      new Promise((resolve) => {
        const body = typeof delivery.body === "string" ? Buffer.from(delivery.body) : delivery.body;
        const req = request(
          {
            host: "127.0.0.1",
            port,
            method: "POST",
            path: delivery.path,
            agent: agents.get(port),
            headers: { ...delivery.headers, "content-length": String(body.byteLength) },
            timeout: 30_000,
          },
          (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
          },
        );
        req.on("timeout", () => req.destroy());
        req.on("error", () => resolve(0));
        req.end(body);
      });
    const count = (name: string, kind: TrafficClass, status: number, at: number) => {
      tally.requests++;
      tally.byStatus[status] = (tally.byStatus[status] ?? 0) + 1;
      const byKind = (tally.byKind[name] ??= {});
      byKind[status] = (byKind[status] ?? 0) + 1;
      if (status === 0 && name === OVERSIZED) tally.resets++;
      else if (status === 0) tally.noAnswer++;
      if (status >= 500 && kind === "hostile") tally.hostileFiveHundreds++;
      else if (status >= 500 && inOutage(at)) tally.outageFiveHundreds++;
      else if (status >= 500) tally.otherFiveHundreds++;
    };
    /** Sends a genuine delivery until a 2xx, as a provider retries: 5xx, 409 or no answer. */
    const deliver = async (name: string, kind: TrafficClass, delivery: Delivery, port: number) => {
      const first = Date.now();
      for (let attempt = 0; ; attempt++) {
        const status = await send(delivery, attempt === 0 ? port : pick(ports));
        count(name, kind, status, Date.now());
        if (status >= 200 && status < 300) return true;
        if (status >= 400 && status < 500 && status !== 409) {
          tally.validRefused++;
          return false;
        }
        if (Date.now() - first > 60_000) {
          tally.gaveUp++;
          return false;
        }
        tally.retries++;
        await sleep(Math.min(2000, 100 * 2 ** attempt) * (0.5 + Math.random()));
      }
    };
    const retrying = new Set<Promise<unknown>>();
    const acknowledge = (delivery: Delivery) => {
      acknowledged.add(delivery.key);
      traffic.remember(delivery);
    };

    const sender = async () => {
      while (Date.now() < deadline) {
        const [name, , make, kind] = traffic.choose();
        const delivery = await make();
        if (!delivery) continue;
        const port = pick(ports);
        if (kind === "valid" || kind === "twice") {
          sentValid.add(delivery.key);
          // "twice at once": one copy to each receiver, each retried on its own.
          const copies = kind === "twice" ? ports : [port];
          const done = Promise.all(copies.map((p) => deliver(name, kind, delivery, p))).then((acks) => {
            if (acks.some(Boolean)) acknowledge(delivery);
          });
          // The slot waits for the first answers only; retries go on beside new traffic.
          await Promise.race([done, sleep(200)]);
          retrying.add(done);
          void done.then(() => retrying.delete(done));
          while (retrying.size > 2000) await sleep(50);
          continue;
        }
        const status = await send(delivery, port);
        count(name, kind, status, Date.now());
        if (kind === "copy" && status === 202) tally.copiesQueued++;
      }
    };

    // ---- the faults ----------------------------------------------------------------------------
    const series: { second: number; memory: Memory[] }[] = [];
    const seriesTimer = setInterval(
      () =>
        void memory().then((m) =>
          series.push({ second: Math.round((Date.now() - started) / 1000), memory: m }),
        ),
      Math.max(5_000, (seconds * 1000) / 8),
    );
    let killedPid: number | undefined;
    const faults = (async () => {
      await sleep(seconds * 300);
      // Killed while one of its handlers runs (polled, for up to 5 s), so a job is cut mid-handler.
      const victim = workers[0]!;
      const until = Date.now() + 5000;
      let busy = 0;
      while (busy === 0 && Date.now() < until) {
        victim.send("busy");
        busy = await nextMessage<number>(victim, "busy");
      }
      killedPid = victim.pid;
      victim.kill("SIGKILL");
      await exited(victim);
      children.delete(victim);
      events.push({
        at: Date.now(),
        what: `worker ${killedPid} killed (SIGKILL) with ${busy} handler${busy === 1 ? "" : "s"} running`,
      });
      await sleep(2000);
      const replacement = await startWorker();
      workers[0] = replacement;
      events.push({ at: Date.now(), what: `replacement worker ${replacement.pid} started` });

      await sleep(Math.max(0, started + seconds * 550 - Date.now()));
      const from = Date.now();
      outage = { from, to: Number.POSITIVE_INFINITY };
      redis!.kill("SIGTERM");
      await exited(redis!);
      events.push({ at: Date.now(), what: "Redis stopped (SIGTERM: clean shutdown)" });
      await startRedis();
      outage = { from, to: Date.now() + 10_000 };
      events.push({ at: Date.now(), what: "Redis started again (same port and directory) and answering" });
    })();

    await Promise.all(Array.from({ length: concurrency }, sender));
    await faults;
    const sendingSeconds = (Date.now() - started) / 1000;
    await Promise.all(retrying);
    clearInterval(seriesTimer);
    for (const agent of agents.values()) agent.destroy();

    // ---- drain ---------------------------------------------------------------------------------
    const { Queue } = fromTests("bullmq") as {
      Queue: new (name: string, options: { connection: { host: string; port: number } }) => CountingQueue;
    };
    const queues = Object.values(soakQueueNames).map((name) => {
      const queue = new Queue(name, { connection: { host: "127.0.0.1", port: redisPort } });
      queue.on("error", () => {});
      return queue;
    });
    const pendingStates = ["waiting", "active", "delayed", "prioritized", "paused", "waiting-children"];
    const jobCounts = async () => {
      const all = await Promise.all(
        queues.map((q) => q.getJobCounts(...pendingStates, "completed", "failed")),
      );
      const sum = (state: string) => all.reduce((total, counts) => total + (counts[state] ?? 0), 0);
      return {
        pending: pendingStates.reduce((total, state) => total + sum(state), 0),
        failed: sum("failed"),
      };
    };
    const drainDeadline = Date.now() + 120_000;
    let counts = await jobCounts();
    while (counts.pending > 0 && Date.now() < drainDeadline) {
      await sleep(500);
      counts = await jobCounts();
    }
    const drained = counts.pending === 0;
    const drainedAt = Date.now();
    // The last handlers' appends land before their jobs complete; a moment for the files anyway.
    await sleep(500);
    const memoryEnd = await memory();
    await Promise.all(queues.map((q) => q.close()));

    // ---- count ---------------------------------------------------------------------------------
    const runs = new Map<string, { at: number; pid: number }[]>();
    /** Runs the killed worker started and never finished. */
    const cut = new Set<string>();
    for (const file of readdirSync(dir).filter((f) => f.startsWith("handled-"))) {
      for (const line of readFileSync(join(dir, file), "utf8").split("\n")) {
        if (!line) continue;
        const [phase, key, at, pid] = line.split("\t");
        if (Number(pid) === killedPid) {
          if (phase === "start") cut.add(key!);
          else cut.delete(key!);
        }
        if (phase !== "done") continue;
        const list = runs.get(key!) ?? [];
        list.push({ at: Number(at), pid: Number(pid) });
        runs.set(key!, list);
      }
    }
    const cutOnce = [...cut].filter((key) => runs.get(key)?.length === 1).length;
    const lost = [...acknowledged].filter((key) => !runs.has(key));
    const doubled = [...runs].filter(([, list]) => list.length > 1);
    const unknown = [...runs.keys()].filter((key) => !sentValid.has(key));
    const handledRuns = [...runs.values()].reduce((total, list) => total + list.length, 0);
    const handledUnacknowledged = [...runs.keys()].filter(
      (key) => sentValid.has(key) && !acknowledged.has(key),
    );

    const at = (ms: number) => `${((ms - started) / 1000).toFixed(1)} s`;
    const lines = [
      `soak --engine redis-bullmq: ${sendingSeconds.toFixed(0)} s of traffic, concurrency ${concurrency}, 2 receivers, 2 workers (concurrency 4 each), Redis ${redisPort} (appendfsync always), Node ${process.version}`,
      "",
      ...events.map((e) => `- ${at(e.at)}: ${e.what}`),
      `- ${at(drainedAt)}: queues ${drained ? "drained" : `NOT drained (${counts.pending} jobs pending)`}`,
      "",
      `requests: ${tally.requests} (${(tally.requests / sendingSeconds).toFixed(0)}/s), sender retries: ${tally.retries}, no answer: ${tally.noAnswer} (plus ${tally.resets} resets while sending a body over maxBodyBytes)`,
      ...answerLines(tally.byStatus, tally.byKind, "requests"),
      "",
      "| measure | value |",
      "|---|---:|",
      `| genuine deliveries sent (unique) | ${sentValid.size} |`,
      `| acknowledged with a 2xx | ${acknowledged.size} (${(acknowledged.size / sendingSeconds).toFixed(0)}/s) |`,
      `| handled (unique), handler runs | ${runs.size}, ${handledRuns} |`,
      `| **lost** (acknowledged, never handled) | **${lost.length}** |`,
      `| **doubled** (handled more than once) | **${doubled.length}** |`,
      `| handled under an id never sent as genuine | ${unknown.length} |`,
      `| runs cut by the kill (started in the killed worker, not finished), then handled exactly once | ${cut.size}, ${cutOnce} |`,
      `| handled, never acknowledged (sender gave up) | ${handledUnacknowledged.length} |`,
      `| genuine deliveries refused with a 4xx / given up after 60 s of retries | ${tally.validRefused} / ${tally.gaveUp} |`,
      `| **5xx answers to client mistakes** | **${tally.hostileFiveHundreds}** |`,
      `| 5xx to genuine deliveries and copies during the Redis outage (+10 s), retried | ${tally.outageFiveHundreds} |`,
      `| 5xx to genuine deliveries and copies at other times | ${tally.otherFiveHundreds} |`,
      `| copies of acknowledged deliveries queued again (202) | ${tally.copiesQueued} |`,
      `| failed jobs (dead letters) at the end | ${counts.failed} |`,
      `| handled per second, start to drained | ${(handledRuns / ((drainedAt - started) / 1000)).toFixed(0)} |`,
      "",
      "| receiver RSS (after GC) | start | peak (any sample) | end | heap used start → end |",
      "|---|---:|---:|---:|---:|",
      ...receivers.map(
        (_, i) =>
          `| receiver ${i + 1} | ${mb(memoryStart[i]!.rss)} | ${mb(memoryEnd[i]!.peakRss)} | ${mb(memoryEnd[i]!.rss)} | ${mb(memoryStart[i]!.heapUsed)} → ${mb(memoryEnd[i]!.heapUsed)} |`,
      ),
      "",
      `| s | ${receivers.map((_, i) => `receiver ${i + 1} RSS / heap (after GC)`).join(" | ")} |`,
      `|---:|${receivers.map(() => "---:").join("|")}|`,
      `| 0 | ${memoryStart.map((m) => `${mb(m.rss)} / ${mb(m.heapUsed)}`).join(" | ")} |`,
      ...series.map(
        (s) => `| ${s.second} | ${s.memory.map((m) => `${mb(m.rss)} / ${mb(m.heapUsed)}`).join(" | ")} |`,
      ),
      `| end | ${memoryEnd.map((m) => `${mb(m.rss)} / ${mb(m.heapUsed)}`).join(" | ")} |`,
    ];
    if (lost.length)
      lines.push("", `lost, first ${Math.min(10, lost.length)}: ${lost.slice(0, 10).join(", ")}`);
    if (doubled.length) {
      lines.push("", `doubled, first ${Math.min(10, doubled.length)} (run times; k = in the killed worker):`);
      for (const [key, list] of doubled.slice(0, 10)) {
        lines.push(
          `- ${key}: ${list.map((r) => `${at(r.at)} pid ${r.pid}${r.pid === killedPid ? " (k)" : ""}${inOutage(r.at) ? " (outage)" : ""}`).join(", ")}`,
        );
      }
    }
    if (unknown.length) lines.push("", `handled under unknown ids: ${unknown.slice(0, 10).join(", ")}`);
    console.log(lines.join("\n"));

    const ok =
      lost.length === 0 &&
      doubled.length === 0 &&
      unknown.length === 0 &&
      tally.hostileFiveHundreds === 0 &&
      tally.validRefused === 0 &&
      drained &&
      counts.failed === 0;
    return ok ? 0 : 1;
  } finally {
    await cleanUp();
    process.off("SIGINT", interrupted);
    process.off("SIGTERM", interrupted);
  }
}
