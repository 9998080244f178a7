// Exactly once across processes on PostgreSQL + pg-boss: 4 receiver processes share one
// postgresStore and one pg-boss queue; 2 worker processes drain it with createWorker.
import type pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DATABASE_URL, describePostgres } from "../support/services.js";
import type { ProcessConfig } from "./postgres-support/config.js";
import {
  deliveryId,
  dropSchemas,
  finishedRuns,
  formatStatuses,
  pendingJobs,
  prepare,
  type Spawned,
  sendDeliveries,
  spawnProcess,
  stopAll,
  until,
} from "./postgres-support/harness.js";

const DELIVERIES = 2000;
const COPIES = 3;

const config: ProcessConfig = {
  databaseUrl: DATABASE_URL,
  schema: "hookgate_test_scale_pg",
  lockMs: 10_000,
  applicationName: "hookgate-test-scale-pg",
};

describePostgres("PostgreSQL store + pg-boss, 4 receiver processes and 2 workers", () => {
  let pool: pg.Pool;
  let receivers: Spawned[] = [];
  let workers: Spawned[] = [];

  beforeAll(async () => {
    pool = await prepare(config);
    [receivers, workers] = await Promise.all([
      Promise.all(Array.from({ length: 4 }, () => spawnProcess("receiver", config))),
      Promise.all(Array.from({ length: 2 }, () => spawnProcess("worker", config))),
    ]);
  }, 60_000);

  afterAll(async () => {
    await stopAll([...receivers, ...workers]);
    if (pool) {
      await dropSchemas(pool, config);
      await pool.end();
    }
  }, 30_000);

  it(`handles each of ${DELIVERIES} deliveries, sent ${COPIES} times at once to different receivers, exactly once`, async () => {
    const started = performance.now();
    const stats = await sendDeliveries({
      ports: receivers.map((r) => r.port),
      prefix: "scale",
      count: DELIVERIES,
      copies: COPIES,
      concurrency: 24,
      // About 45 s alone on 2 busy cores; more when the rest of the suite runs beside it.
      deadlineMs: 150_000,
    });
    expect(stats.acknowledged.size).toBe(DELIVERIES);

    let runs = new Map<string, number>();
    await until(
      "every delivery was handled and pg-boss has nothing left to run",
      async () => {
        runs = await finishedRuns(pool, config);
        return runs.size === DELIVERIES && (await pendingJobs(pool, config)) === 0;
      },
      90_000,
      250,
    );
    // Anything that would run twice has had its chance by now.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    runs = await finishedRuns(pool, config);
    const totalRuns = [...runs.values()].reduce((a, b) => a + b, 0);
    const twice = [...runs].filter(([, n]) => n > 1);
    const lost = Array.from({ length: DELIVERIES }, (_, i) => deliveryId("scale", i)).filter(
      (id) => !runs.has(id),
    );

    console.log(
      `postgres + pg-boss: ${DELIVERIES} deliveries × ${COPIES} copies → answers ${formatStatuses(stats.statuses)}` +
        `${stats.networkErrors ? `, ${stats.networkErrors} network errors` : ""}; sent in ${(stats.ms / 1000).toFixed(1)} s; ` +
        `handler runs ${totalRuns} for ${runs.size} distinct deliveries (${twice.length} run twice, ${lost.length} lost); ` +
        `all handled after ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    expect(lost).toEqual([]);
    expect(twice).toEqual([]);
    expect(totalRuns).toBe(DELIVERIES);
    // One copy of each delivery was queued (202); the others met it in flight (409, retried) or done (200).
    expect(stats.statuses.get(202)).toBeGreaterThanOrEqual(DELIVERIES);
  }, 270_000);
});
