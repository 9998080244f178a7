import { createReceiver, isWebhookError, schemes } from "@hookgate/core";
import { type NatsConnectionLike, natsQueue } from "@hookgate/nats";
import { redisStore } from "@hookgate/redis";
import type { Redis } from "ioredis";

/** The Stripe signing secret: from .env here, from your secret store in production. */
export const secret = process.env.STRIPE_WEBHOOK_SECRET ?? "";

/** The JetStream stream deliveries are published to; the worker consumes the same name. */
export const streamName = "hookgate-deliveries";

/**
 * The same receiver in both processes. The server verifies, claims the delivery in Redis and
 * publishes it to JetStream (202 once the PubAck came); the worker runs the handlers below, once
 * per delivery.
 */
export async function createWebhooks(options: {
  connection: NatsConnectionLike;
  redis: Redis;
  name?: string;
  secret?: string;
}) {
  const store = redisStore({ client: options.redis, prefix: "hookgate-example:" });
  const queue = natsQueue({ connection: options.connection, name: options.name ?? streamName });
  await queue.setup(); // creates the stream and the workers' durable consumer if missing
  const receiver = createReceiver<{
    "invoice.paid": { id: string; data: { object: { id: string; amount_paid: number; currency: string } } };
  }>({ scheme: schemes.stripe({ secret: options.secret ?? secret }), store, queue });

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
  return { receiver, queue };
}
