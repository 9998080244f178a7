import type { Channel } from "amqplib";

/** The queue that keeps deliveries given up on, for inspection and replay. */
export const deadLetterQueueOf = (name: string) => `${name}.dead-letters`;

/** The queue where a delivery waits `delayMs` before it goes back to `name` (a TTL, then dead-lettered back). */
export const retryQueueOf = (name: string, delayMs: number) => `${name}.retry.${delayMs}`;

/** Declares the deliveries queue and its dead-letter queue (idempotent: same arguments every time). */
export async function assertDeliveryQueues(channel: Channel, name: string): Promise<void> {
  const deadLetters = deadLetterQueueOf(name);
  await channel.assertQueue(deadLetters, { durable: true });
  // A message the worker rejects (requeue: false) is moved to the dead-letter queue by the broker.
  await channel.assertQueue(name, {
    durable: true,
    arguments: { "x-dead-letter-exchange": "", "x-dead-letter-routing-key": deadLetters },
  });
}

/**
 * Declares the retry queue for one delay: RabbitMQ has no delayed delivery without a plugin, so a
 * message waits out the queue's TTL there and is dead-lettered back to `name`. One queue per
 * delay, since messages expire only at the head of a queue.
 */
export async function assertRetryQueue(channel: Channel, name: string, delayMs: number): Promise<string> {
  const queue = retryQueueOf(name, delayMs);
  await channel.assertQueue(queue, {
    durable: true,
    arguments: { "x-message-ttl": delayMs, "x-dead-letter-exchange": "", "x-dead-letter-routing-key": name },
  });
  return queue;
}
