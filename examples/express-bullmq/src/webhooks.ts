import { bullmqQueue } from "@hookgate/bullmq";
import { createReceiver, isWebhookError, schemes } from "@hookgate/core";
import { redisStore } from "@hookgate/redis";
import { Queue } from "bullmq";
import { receiverConnection } from "./redis.js";

/** The Stripe signing secret: from .env here, from your secret store in production. */
export const secret = process.env.STRIPE_WEBHOOK_SECRET ?? "";

/** The BullMQ queue deliveries are handed to; the worker consumes the same name. */
export const queueName = "hookgate";

const connection = receiverConnection();
export const queue = new Queue(queueName, { connection });

/**
 * The same receiver in both processes. The server verifies, claims the delivery in Redis and
 * enqueues it (202); the worker runs the handlers below, once per delivery.
 */
export const receiver = createReceiver<{
  "invoice.paid": { id: string; data: { object: { id: string; amount_paid: number; currency: string } } };
}>({
  scheme: schemes.stripe({ secret }),
  store: redisStore({ client: connection, prefix: "hookgate-example:" }),
  queue: bullmqQueue({ queue }),
});

receiver.on("invoice.paid", async (event) => {
  const invoice = event.payload.data.object;
  console.log(
    `✓ ${event.type} ${invoice.id}: ${invoice.amount_paid / 100} ${invoice.currency.toUpperCase()} (pid ${process.pid})`,
  );
});

receiver.onError((error, { delivery }) => {
  // A copy that arrives while another instance holds the delivery is answered 409: not a fault.
  if (isWebhookError(error) && error.code === "in_flight") return;
  console.error(
    `✗ ${delivery?.id ?? "a delivery"}: ${error instanceof Error ? error.message : String(error)}`,
  );
});
