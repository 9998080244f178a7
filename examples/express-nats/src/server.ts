import { createApp } from "./app.js";
import { connectNats, connectRedis } from "./connections.js";
import { createWebhooks } from "./webhooks.js";

const connection = await connectNats();
const redis = connectRedis();
const { receiver } = await createWebhooks({ connection, redis });

const port = Number(process.env.PORT ?? 3000);
const server = createApp(receiver).listen(port, () => {
  console.log(
    `Receiver on http://localhost:${port}/webhooks/stripe (pid ${process.pid}); answers 202 once JetStream stored the message`,
  );
  console.log("Start the worker with `pnpm worker`, then `pnpm send`");
});

// Stop taking requests, let the ones in progress finish, then close the connections.
function shutdown() {
  server.close(async () => {
    await connection.drain();
    redis.disconnect();
    process.exit(0);
  });
}
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
