import { createApp } from "./app.js";
import { connectRabbitmq, connectRedis } from "./connections.js";
import { createWebhooks } from "./webhooks.js";

const connection = await connectRabbitmq();
const redis = connectRedis();
const { receiver, queue } = await createWebhooks({ connection, redis });

const port = Number(process.env.PORT ?? 3000);
const server = createApp({ receiver, queue }).listen(port, () => {
  console.log(
    `Receiver on http://localhost:${port}/webhooks/stripe (pid ${process.pid}); answers 202 once RabbitMQ confirmed the message`,
  );
  console.log("Start the worker with `pnpm worker`, then `pnpm send`");
});

// Stop taking requests, let the ones in progress finish, then close the connections.
function shutdown() {
  server.close(async () => {
    await queue.close();
    await connection.close();
    redis.disconnect();
    process.exit(0);
  });
}
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
