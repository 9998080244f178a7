import { createWorker } from "@hookgate/bullmq";
import { redisUrl } from "./redis.js";
import { queue, queueName, receiver } from "./webhooks.js";

// BullMQ opens its own connections from these options (a worker's must wait, not fail fast).
const { hostname, port, password } = new URL(redisUrl);
const worker = createWorker(receiver, {
  name: queueName,
  connection: { host: hostname, port: Number(port || 6379), ...(password ? { password } : {}) },
  concurrency: 8,
});

worker.on("failed", (job, error) => {
  console.error(`job ${job?.id} attempt ${job?.attemptsMade} failed: ${error.message}`);
});
await worker.waitUntilReady();
console.log(`Worker consuming "${queueName}" (pid ${process.pid}); each delivery's handlers run once`);

// Finish the jobs in progress, then exit; a job cut short by a crash is retried by another worker.
async function shutdown() {
  await worker.close();
  await queue.close();
  process.exit(0);
}
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
