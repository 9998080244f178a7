import { createApp } from "./app.js";
import { connectNats, connectRedis } from "./connections.js";
import { createWebhooks } from "./webhooks.js";

const connection = await connectNats();
const redis = connectRedis();
const { receiver, queue } = await createWebhooks({ connection, redis });

const port = Number(process.env.PORT ?? 3000);
const app = await createApp({ receiver, queue });
await app.listen({ port, host: "127.0.0.1" });
console.log(
  `Receiver on http://localhost:${port}/webhooks/stripe (pid ${process.pid}); answers 202 once JetStream stored the message`,
);
console.log("Start the worker with `pnpm worker`, then `pnpm send`");

// Stop taking requests, let the ones in progress finish, then close the connections.
async function shutdown() {
  await app.close();
  await connection.drain();
  redis.disconnect();
  process.exit(0);
}
process.once("SIGINT", () => void shutdown());
process.once("SIGTERM", () => void shutdown());
