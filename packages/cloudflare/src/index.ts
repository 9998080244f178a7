export type { CloudflareQueueOptions } from "./cloudflare-queue.js";
export { cloudflareQueue } from "./cloudflare-queue.js";
export type { QueueConsumer, QueueConsumerOptions } from "./create-queue-consumer.js";
export { createQueueConsumer } from "./create-queue-consumer.js";
export type { D1Journal, D1JournalOptions } from "./d1-journal.js";
export { d1Journal } from "./d1-journal.js";
export type { D1Store, D1StoreOptions } from "./d1-store.js";
export { d1Store } from "./d1-store.js";
export type { DurableObjectStoreOptions } from "./durable-object-store.js";
export { durableObjectStore } from "./durable-object-store.js";
export type { StoreObjectState } from "./hookgate-store-object.js";
export { HookgateStoreObject } from "./hookgate-store-object.js";
export type {
  D1DatabaseBinding,
  D1Statement,
  DurableObjectNamespaceBinding,
  DurableObjectStubBinding,
  ExecutionContextLike,
  MessageBatchLike,
  QueueBinding,
  QueueMessage,
} from "./internal/bindings.js";
