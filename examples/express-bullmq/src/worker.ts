import { createWorker } from "@hookgate/bullmq";
import { workerConnection } from "./redis.js";
import { queue, queueName, receiver } from "./webhooks.js";

// The same REDIS_URL as the receiver's queue (database, user, TLS and all); a worker's connection
// waits through an outage instead of failing fast.
const connection = workerConnection();
const worker = createWorker(receiver, { name: queueName, connection, concurrency: 8 });

worker.on("failed", (job, error) => {
  console.error(`job ${job?.id} attempt ${job?.attemptsMade} failed: ${error.message}`);
});
await worker.waitUntilReady();
console.log(`Worker consuming "${queueName}" (pid ${process.pid}); each delivery's handlers run once`);

// Finish the jobs in progress, then exit; a job cut short by a crash is retried by another worker.
async function shutdown() {
  await worker.close();
  await queue.close();
  connection.disconnect();
  process.exit(0);
}
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
