import type { ConfirmChannel, Options } from "amqplib";

/**
 * Publishes to `queue` through the default exchange and resolves once the broker confirmed it
 * (a persistent message to a durable queue is confirmed once it is written). Rejects when the
 * broker nacks it or returns it unroutable (no such queue: `mandatory` makes the broker say so).
 */
export function publishConfirmed(
  channel: ConfirmChannel,
  queue: string,
  content: Buffer,
  options: Options.Publish,
): Promise<void> {
  const correlationId = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  let returned = false;
  const onReturn = (message: { properties: { correlationId?: string } }) => {
    if (message.properties.correlationId === correlationId) returned = true;
  };
  channel.on("return", onReturn);
  return new Promise<void>((resolve, reject) => {
    channel.sendToQueue(
      queue,
      content,
      { ...options, persistent: true, mandatory: true, correlationId },
      (error: unknown) => {
        channel.off("return", onReturn);
        // The broker sends basic.return before the basic.ack of an unroutable message.
        if (error)
          reject(error instanceof Error ? error : new Error(`hookgate: RabbitMQ nacked the message`));
        else if (returned)
          reject(
            new Error(`hookgate: RabbitMQ has no queue "${queue}"; declare it with await queue.setup()`),
          );
        else resolve();
      },
    );
  });
}
