import { createWorker } from "@hookgate/amqp";
import { connectRabbitmq, connectRedis } from "./connections.js";
import { createWebhooks, queueName } from "./webhooks.js";

const connection = await connectRabbitmq();
const redis = connectRedis();
const { receiver } = await createWebhooks({ connection, redis });
// Prefetch 8: at most 8 deliveries run at once; each is acknowledged once handled (or settled).
const worker = await createWorker(receiver, { connection, name: queueName, concurrency: 8 });
console.log(`Worker consuming "${queueName}" (pid ${process.pid}); each delivery's handlers run once`);

// Finish the deliveries in progress, then exit; a delivery cut short by a crash goes back to the
// queue when the connection drops, and another worker runs it.
async function shutdown() {
  await worker.close();
  await connection.close();
  redis.disconnect();
  process.exit(0);
}
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
