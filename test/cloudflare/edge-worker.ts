// A webhook endpoint on Workers, as a user would write it, run as two Workers (two isolates)
// sharing one D1 database, one Durable Object namespace and one Queue:
//   POST /inline   handlers run in the request; claims in Durable Objects
//   POST /queued   handed to the Cloudflare Queue (202 once `send` resolved); the queue() handler runs it
//   GET  /runs     every handler run, from D1
import {
  cloudflareQueue,
  createQueueConsumer,
  type D1DatabaseBinding,
  type DurableObjectNamespaceBinding,
  d1Journal,
  d1Store,
  durableObjectStore,
  type MessageBatchLike,
  type QueueBinding,
  type QueueConsumer,
} from "@hookgate/cloudflare";
import { createReceiver, type Receiver, schemes } from "@hookgate/core";

export { HookgateStoreObject } from "@hookgate/cloudflare";

interface Env {
  DB: D1DatabaseBinding;
  STORE: DurableObjectNamespaceBinding;
  WEBHOOKS: QueueBinding;
  SECRET: string;
  /** Which Worker this is ("a" or "b"). */
  ISOLATE: string;
}

let made: { inline: Receiver; queued: Receiver; consumer: QueueConsumer } | undefined;

function receivers(env: Env) {
  if (made) return made;
  const scheme = schemes.stripe({ secret: env.SECRET });
  const record = (path: string) => async (event: { id: string }) => {
    await env.DB.prepare("INSERT INTO runs (path, id, isolate) VALUES (?1, ?2, ?3)")
      .bind(path, event.id, env.ISOLATE)
      .run();
  };
  const inline = createReceiver({
    scheme,
    namespace: "inline",
    store: durableObjectStore({ namespace: env.STORE }),
  });
  inline.on("invoice.paid", record("inline"));
  const queued = createReceiver({
    scheme,
    namespace: "queued",
    store: d1Store({ database: env.DB }),
    journal: d1Journal({ database: env.DB }),
    queue: cloudflareQueue({ queue: env.WEBHOOKS }),
  });
  queued.on("invoice.paid", record("queued"));
  made = { inline, queued, consumer: createQueueConsumer(queued, { producer: "WEBHOOKS" }) };
  return made;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    await env.DB.prepare("CREATE TABLE IF NOT EXISTS runs (path TEXT, id TEXT, isolate TEXT)").run();
    const { pathname } = new URL(request.url);
    if (pathname === "/runs")
      return Response.json((await env.DB.prepare("SELECT * FROM runs").all()).results);
    if (pathname === "/journal") {
      const { entries } = await d1Journal({ database: env.DB }).list();
      return Response.json(entries.map(({ id, status }) => ({ id, status })));
    }
    const receiver = pathname === "/inline" ? receivers(env).inline : receivers(env).queued;
    return receiver.fetch(request);
  },
  queue(batch: MessageBatchLike, env: Env): Promise<void> {
    return receivers(env).consumer(batch, env);
  },
};
