// A webhook endpoint on Workers, as a user would write it, run as two Workers (two isolates)
// sharing one D1 database, one Durable Object namespace and one Queue:
//   POST /inline   handlers run in the request; claims in Durable Objects
//   POST /queued   handed to the Cloudflare Queue (202 once `send` resolved); the queue() handler runs it
//   GET  /runs     every handler run, from D1
//   POST /redeliver?id=…  sends the job the consumer last saw for that id to the Queue again
//                  (a redelivery, as after an acknowledgement was lost)
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
    await env.DB.batch([
      env.DB.prepare("CREATE TABLE IF NOT EXISTS runs (path TEXT, id TEXT, isolate TEXT)"),
      env.DB.prepare("CREATE TABLE IF NOT EXISTS jobs (id TEXT, body TEXT)"),
    ]);
    const { pathname } = new URL(request.url);
    if (pathname === "/runs")
      return Response.json((await env.DB.prepare("SELECT * FROM runs").all()).results);
    if (pathname === "/jobs") {
      const id = new URL(request.url).searchParams.get("id");
      return Response.json(
        await env.DB.prepare("SELECT COUNT(*) AS n FROM jobs WHERE id = ?1").bind(id).first(),
      );
    }
    if (pathname === "/redeliver") {
      const id = new URL(request.url).searchParams.get("id");
      const job = await env.DB.prepare("SELECT body FROM jobs WHERE id = ?1")
        .bind(id)
        .first<{ body: string }>();
      if (!job) return new Response(null, { status: 404 });
      await env.WEBHOOKS.send(JSON.parse(job.body), { contentType: "json" });
      return new Response(null, { status: 204 });
    }
    if (pathname === "/journal") {
      const { entries } = await d1Journal({ database: env.DB }).list();
      return Response.json(entries.map(({ id, status }) => ({ id, status })));
    }
    const receiver = pathname === "/inline" ? receivers(env).inline : receivers(env).queued;
    return receiver.fetch(request);
  },
  async queue(batch: MessageBatchLike, env: Env): Promise<void> {
    await receivers(env).consumer(batch, env);
    // Kept after the consumer settled them, so /jobs counts messages already run.
    for (const message of batch.messages) {
      const body = message.body as { id?: string };
      await env.DB.prepare("INSERT INTO jobs (id, body) VALUES (?1, ?2)")
        .bind(body.id ?? "", JSON.stringify(body))
        .run();
    }
  },
};
