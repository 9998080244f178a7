// A worker process: drains the pg-boss queue through createWorker; the handler records each run
// in the handler-run table. With SCALE_HANG=1 it records that a run started, then never
// finishes (a worker the test kills mid-job).
import { createWorker } from "@hookgate/pg-boss";
import {
  configFromEnv,
  exitWithParent,
  makeBoss,
  makePool,
  makeReceiver,
  queueName,
  runsTable,
} from "./config.js";

exitWithParent();
const config = configFromEnv();
const hang = process.env.SCALE_HANG === "1";
const pool = makePool(config, "worker", 6);
// This process also expires jobs whose worker died, every second — or, with SCALE_DEFAULTS, only
// through the worker's own expiry check at its default interval.
const boss = makeBoss(
  config,
  "worker",
  config.defaults ? { max: 4 } : { supervise: true, maintenanceIntervalSeconds: 1, max: 4 },
);
await boss.start();
const receiver = makeReceiver(config, pool);
receiver.onAny(async (event) => {
  if (hang) {
    await pool.query(`INSERT INTO ${runsTable(config)} (delivery_id, pid, finished) VALUES ($1, $2, false)`, [
      event.id,
      process.pid,
    ]);
    await new Promise(() => {});
  }
  await pool.query(`INSERT INTO ${runsTable(config)} (delivery_id, pid, finished) VALUES ($1, $2, true)`, [
    event.id,
    process.pid,
  ]);
});
await createWorker(receiver, {
  boss,
  name: queueName,
  concurrency: Number(process.env.SCALE_CONCURRENCY ?? 8),
  batchSize: Number(process.env.SCALE_BATCH ?? 4),
  ...(config.defaults ? {} : { pollingIntervalSeconds: 0.5 }),
});
process.stdout.write("ready\n");
