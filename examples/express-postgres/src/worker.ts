import { createWorker } from "@hookgate/pg-boss";
import { connect } from "./services.js";
import { webhookReceiver } from "./webhooks.js";

const services = await connect();
// No queue here: this process runs the handlers for what the web processes enqueued.
const receiver = webhookReceiver(services.store);
receiver.onError((error) => console.error("handler failed; pg-boss will retry:", error));

const worker = await createWorker(receiver, { boss: services.boss, concurrency: 4 });
console.log(`Worker ${process.pid} is waiting for deliveries`);

process.once("SIGINT", async () => {
  await worker.close(); // lets the deliveries running now finish
  await services.close();
});
