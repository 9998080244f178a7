// Cloudflare's own binding types fit what @hookgate/cloudflare asks for, so `env.DB`, `env.STORE`,
// `env.WEBHOOKS`, a `MessageBatch` and a `DurableObjectState` pass without a cast.
import type {
  D1Database,
  DurableObjectNamespace,
  DurableObjectState,
  ExecutionContext,
  MessageBatch,
  Queue,
} from "@cloudflare/workers-types/2023-07-01/index.js";
import { createReceiver, schemes } from "@hookgate/core";
import { expectTypeOf, test } from "vitest";
import {
  cloudflareQueue,
  createQueueConsumer,
  d1Journal,
  d1Store,
  durableObjectStore,
  HookgateStoreObject,
  type QueueConsumer,
} from "./index.js";

declare const env: { DB: D1Database; STORE: DurableObjectNamespace; WEBHOOKS: Queue<unknown> };
declare const state: DurableObjectState;
declare const batch: MessageBatch<unknown>;
declare const ctx: ExecutionContext;

test("the bindings of @cloudflare/workers-types are accepted as they are", () => {
  const receiver = createReceiver({
    scheme: schemes.stripe({ secret: "whsec_x" }),
    store: durableObjectStore({ namespace: env.STORE }),
    journal: d1Journal({ database: env.DB }),
    queue: cloudflareQueue({ queue: env.WEBHOOKS, store: d1Store({ database: env.DB }) }),
  });
  const consumer = createQueueConsumer(receiver, { producer: "WEBHOOKS" });
  expectTypeOf(consumer).toEqualTypeOf<QueueConsumer>();
  expectTypeOf(consumer(batch, env, ctx)).resolves.toBeVoid();
  expectTypeOf(new HookgateStoreObject(state)).toHaveProperty("fetch");
});
