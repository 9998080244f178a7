// The parts of Cloudflare's bindings hookgate uses, written structurally: the package has no
// runtime dependency and its types need no `@cloudflare/workers-types` (whose D1Database,
// DurableObjectNamespace, Queue and MessageBatch are assignable to these; see bindings.test-d.ts).

/** A D1 prepared statement. */
export interface D1Statement {
  bind(...values: unknown[]): D1Statement;
  run(): Promise<{ meta: { changes?: number } }>;
  all<T = Record<string, unknown>>(): Promise<{ results: T[] }>;
  first<T = Record<string, unknown>>(): Promise<T | null>;
}

/** A D1 database binding (`env.DB`). */
export interface D1DatabaseBinding {
  prepare(query: string): D1Statement;
  batch<T = unknown>(statements: D1Statement[]): Promise<Array<{ results: T[] }>>;
}

/** A Durable Object stub: what `namespace.get(id)` returns. */
export interface DurableObjectStubBinding {
  fetch(
    input: string,
    init?: { method?: string; body?: string; headers?: Record<string, string> },
  ): Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;
}

/** A Durable Object namespace binding (`env.HOOKGATE_STORE`). */
export interface DurableObjectNamespaceBinding {
  idFromName(name: string): unknown;
  get(id: never): DurableObjectStubBinding;
}

/** A Cloudflare Queue producer binding (`env.WEBHOOKS`). */
export interface QueueBinding {
  send(
    body: unknown,
    options?: { contentType?: "json" | "text" | "bytes" | "v8"; delaySeconds?: number },
  ): Promise<unknown>;
}

/** One message of a {@link MessageBatchLike}. */
export interface QueueMessage<Body = unknown> {
  readonly id: string;
  readonly body: Body;
  readonly attempts: number;
  ack(): void;
  retry(options?: { delaySeconds?: number }): void;
}

/** The batch a Worker's `queue(batch, env, ctx)` handler receives. */
export interface MessageBatchLike<Body = unknown> {
  readonly queue: string;
  readonly messages: readonly QueueMessage<Body>[];
}

/** The `ctx` of a Worker's handlers. */
export interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void;
}
