import { memoryStore } from "@hookgate/core";
import { describe, expect, it } from "vitest";
import { cloudflareQueue, createQueueConsumer, d1Journal, d1Store, durableObjectStore } from "./index.js";

// The behaviour on real D1, Durable Objects and Queues is tested inside workerd
// (test/cloudflare/*.test.ts); here, what every entry point refuses before touching a binding.
const invalid = { name: "WebhookError", code: "invalid_option" };
const d1 = { prepare: () => undefined, batch: async () => [] } as never;
const receiver = { dispatch: async () => {} };

describe("@hookgate/cloudflare options", () => {
  it("needs its binding", () => {
    expect(() => d1Store({} as never)).toThrow(expect.objectContaining(invalid));
    expect(() => d1Journal({ database: {} } as never)).toThrow(expect.objectContaining(invalid));
    expect(() => durableObjectStore({ namespace: undefined } as never)).toThrow(
      expect.objectContaining(invalid),
    );
    expect(() => cloudflareQueue({ queue: {} } as never)).toThrow(expect.objectContaining(invalid));
    expect(() => createQueueConsumer({} as never)).toThrow(expect.objectContaining(invalid));
  });

  it("refuses a table name that is not an identifier, and numbers out of range", () => {
    expect(() => d1Store({ database: d1, table: "keys; DROP TABLE x" })).toThrow(
      expect.objectContaining(invalid),
    );
    expect(() => d1Journal({ database: d1, table: "1st" })).toThrow(expect.objectContaining(invalid));
    const namespace = { idFromName: () => 1, get: () => ({}) } as never;
    expect(() => durableObjectStore({ namespace, shards: 0 })).toThrow(expect.objectContaining(invalid));
    expect(() => cloudflareQueue({ queue: { send: async () => {} }, store: {} as never })).toThrow(
      expect.objectContaining(invalid),
    );
    expect(() => createQueueConsumer(receiver, { maxRetries: -1 })).toThrow(expect.objectContaining(invalid));
    expect(() => createQueueConsumer(receiver, { inFlightDelayMs: 1.5 })).toThrow(
      expect.objectContaining(invalid),
    );
  });

  it("accepts what a Worker passes", () => {
    expect(() => d1Store({ database: d1 })).not.toThrow();
    expect(() => cloudflareQueue({ queue: { send: async () => {} }, store: memoryStore() })).not.toThrow();
    expect(createQueueConsumer(receiver, { producer: "WEBHOOKS", maxRetries: 0 })).toBeTypeOf("function");
  });
});
