// Starts and stops the processes of the PostgreSQL + pg-boss cross-process tests, sends them
// signed deliveries the way a sender does (retrying anything but a 2xx), and reads back what
// the handlers did.
import { type ChildProcess, spawn } from "node:child_process";
import { Agent, request } from "node:http";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { pgBossQueue } from "@hookgate/pg-boss";
import { postgresStore } from "@hookgate/postgres";
import pg from "pg";
import { envOf, makeBoss, type ProcessConfig, queueName, runsTable, scheme, storeTable } from "./config.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const tsx = createRequire(import.meta.url).resolve("tsx");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Creates the test's schema: store table, handler-run table, pg-boss and its queue. */
export async function prepare(config: ProcessConfig, queueOptions: { expireInSeconds?: number } = {}) {
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 2 });
  pool.on("error", () => {});
  await dropSchemas(pool, config);
  await pool.query(`CREATE SCHEMA ${config.schema}`);
  await postgresStore({ pool, table: storeTable(config) }).migrate();
  await pool.query(
    `CREATE TABLE ${runsTable(config)} (delivery_id text NOT NULL, pid int NOT NULL, finished boolean NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())`,
  );
  const boss = makeBoss(config, "setup");
  await boss.start();
  await pgBossQueue({ boss, name: queueName, ...queueOptions }).setup();
  await boss.stop({ graceful: false });
  return pool;
}

export async function dropSchemas(pool: pg.Pool, config: ProcessConfig) {
  await pool.query(
    `DROP SCHEMA IF EXISTS ${config.schema} CASCADE; DROP SCHEMA IF EXISTS ${config.schema}_boss CASCADE`,
  );
}

/** A spawned receiver or worker. */
export interface Spawned {
  child: ChildProcess;
  /** The receiver's port (receivers only). */
  port: number;
  /** What it wrote to stderr, for failure messages. */
  stderr: () => string;
}

/** Spawns `receiver.ts` or `worker.ts` under tsx and waits until it says it is ready. */
export function spawnProcess(
  script: "receiver" | "worker",
  config: ProcessConfig,
  env: Record<string, string> = {},
): Promise<Spawned> {
  const child = spawn(
    process.execPath,
    ["--import", tsx, fileURLToPath(new URL(`./${script}.ts`, import.meta.url))],
    {
      // tsx reads the root tsconfig, whose paths point @hookgate/* at each package's source.
      cwd: root,
      // synchronous_commit=off: commits skip the wait for the WAL flush, which on a shared CI disk
      // dominates the run time. It only matters if the PostgreSQL server itself crashes, which no
      // test here does; every hookgate call still waits for its statement to commit.
      env: { ...process.env, PGOPTIONS: "-c synchronous_commit=off", ...envOf(config), ...env },
      stdio: ["pipe", "pipe", "pipe"],
    },
  );
  let err = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    err = (err + chunk.toString()).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start within 45 s: ${err}`)), 45_000);
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /^ready(?: (\d+))?$/m.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, port: Number(match[1] ?? 0), stderr: () => err });
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code ?? signal}) before it was ready: ${err}`));
    });
  });
}

/** Ends spawned processes: SIGTERM, then SIGKILL for any still alive after 2 s. */
export async function stopAll(processes: Spawned[]) {
  const alive = processes.filter((p) => p.child.exitCode === null && p.child.signalCode === null);
  await Promise.all(
    alive.map(
      (p) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(() => p.child.kill("SIGKILL"), 2000);
          p.child.once("exit", () => {
            clearTimeout(timer);
            resolve();
          });
          p.child.kill("SIGTERM");
        }),
    ),
  );
}

/** What the receivers answered, over every attempt of every copy. */
export interface SendStats {
  statuses: Map<number, number>;
  /** Network errors (connection refused or reset), retried like a 5xx. */
  networkErrors: number;
  /** Deliveries that got at least one 2xx. */
  acknowledged: Set<string>;
  ms: number;
}

export function newStats(): SendStats {
  return { statuses: new Map(), networkErrors: 0, acknowledged: new Set(), ms: 0 };
}

export function deliveryId(prefix: string, i: number): string {
  return `evt_${prefix}_${i}`;
}

/**
 * Sends `count` signed Stripe deliveries, each as `copies` concurrent requests to different
 * receivers, `concurrency` deliveries at a time. Like a sender, every copy is retried until it
 * gets a 2xx (409 and 503 included), shortly, until `deadline`.
 */
export async function sendDeliveries(options: {
  ports: number[];
  prefix: string;
  count: number;
  copies: number;
  concurrency: number;
  deadlineMs?: number;
  /** Attempts per copy before the test fails. @default unbounded (until the deadline) */
  maxAttempts?: number;
  /** Filled as answers come in, for a caller watching the run. @default a new one */
  stats?: SendStats;
}): Promise<SendStats> {
  const { ports, prefix, count, copies, concurrency } = options;
  const deadline = Date.now() + (options.deadlineMs ?? 60_000);
  const stats: SendStats = options.stats ?? newStats();
  const started = performance.now();
  // node:http with keep-alive: a fraction of fetch's CPU per request, which matters on 2 cores.
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const post = (port: number, headers: Record<string, string>, body: string) =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port,
          path: "/webhooks/stripe",
          method: "POST",
          headers: { ...headers, "content-length": Buffer.byteLength(body) },
          agent,
        },
        (res) => {
          res.resume();
          res.once("end", () => resolve(res.statusCode!));
          res.once("error", reject);
        },
      );
      req.once("error", reject);
      req.end(body);
    });

  async function sendCopy(port: number, id: string, headers: Record<string, string>, body: string) {
    for (let attempt = 1; ; attempt++) {
      if (Date.now() > deadline) throw new Error(`delivery ${id} was not acknowledged before the deadline`);
      if (attempt > (options.maxAttempts ?? Number.POSITIVE_INFINITY)) {
        throw new Error(`delivery ${id} was not acknowledged in ${options.maxAttempts} attempts`);
      }
      try {
        const status = await post(port, headers, body);
        stats.statuses.set(status, (stats.statuses.get(status) ?? 0) + 1);
        if (status >= 200 && status < 300) {
          stats.acknowledged.add(id);
          return;
        }
        if (status !== 409 && status !== 503) {
          throw new Error(`delivery ${id} got ${status}, which a sender would not retry`);
        }
      } catch (error) {
        if (error instanceof Error && error.message.startsWith("delivery ")) throw error;
        stats.networkErrors++;
      }
      // Senders wait far longer between retries; this keeps the test short without hammering.
      await sleep(100 + Math.random() * 200);
    }
  }

  let next = 0;
  async function runner() {
    while (next < count) {
      const i = next++;
      const id = deliveryId(prefix, i);
      const body = JSON.stringify({ id, object: "event", type: "invoice.paid", data: { object: { n: i } } });
      const headers = await scheme.sign({ rawBody: body });
      await Promise.all(
        Array.from({ length: copies }, (_, c) => sendCopy(ports[(i + c) % ports.length]!, id, headers, body)),
      );
    }
  }
  try {
    await Promise.all(Array.from({ length: concurrency }, runner));
  } finally {
    agent.destroy();
  }
  stats.ms = performance.now() - started;
  return stats;
}

/** Ends the connections whose application_name starts with `prefix`; returns how many. */
export async function terminateConnections(pool: pg.Pool, prefix: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
     WHERE application_name LIKE $1 AND pid <> pg_backend_pid()`,
    [`${prefix}%`],
  );
  return rows[0]!.n;
}

/** Finished handler runs per delivery id. */
export async function finishedRuns(pool: pg.Pool, config: ProcessConfig): Promise<Map<string, number>> {
  const { rows } = await pool.query<{ delivery_id: string; n: number }>(
    `SELECT delivery_id, count(*)::int AS n FROM ${runsTable(config)} WHERE finished GROUP BY delivery_id`,
  );
  return new Map(rows.map((row) => [row.delivery_id, row.n]));
}

/** Jobs pg-boss still has to run (created, retrying or active). */
export async function pendingJobs(pool: pg.Pool, config: ProcessConfig): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${config.schema}_boss.job WHERE name = $1 AND state < 'completed'`,
    [queueName],
  );
  return rows[0]!.n;
}

/** Waits until `condition` holds, polling; throws with `what` past the timeout. */
export async function until(
  what: string,
  condition: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 100,
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await sleep(everyMs);
  }
}

export function formatStatuses(statuses: Map<number, number>): string {
  return [...statuses.entries()]
    .sort(([a], [b]) => a - b)
    .map(([status, n]) => `${n} × ${status}`)
    .join(", ");
}
