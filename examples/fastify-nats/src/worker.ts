import { createWorker } from "@hookgate/nats";
import { connectNats, connectRedis } from "./connections.js";
import { createWebhooks, streamName } from "./webhooks.js";

const connection = await connectNats();
const redis = connectRedis();
const { receiver } = await createWebhooks({ connection, redis });
const worker = await createWorker(receiver, { connection, name: streamName, concurrency: 8 });
console.log(
  `Worker consuming stream "${streamName}" (pid ${process.pid}); each delivery's handlers run once`,
);

// Finish the deliveries in progress, then exit; a delivery cut short by a crash is delivered to
// another worker after the consumer's ack_wait (30 s).
async function shutdown() {
  await worker.close();
  await connection.drain();
  redis.disconnect();
  process.exit(0);
}
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
