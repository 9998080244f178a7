import { getConnInfo } from "@hono/node-server/conninfo";
import { createReceiver, type Receiver, schemes } from "@hookgate/core";
import { type WebhookHandlerOptions, webhookHandler } from "@hookgate/hono";
import { Hono } from "hono";
import { validator } from "hono/validator";
import { afterEach, describe, expect, it, vi } from "vitest";
import { serveFetch } from "./node-app.js";
import { adapterScenarios, type StartedApp, type StartOptions, stripeEvent } from "./scenarios.js";

/** An app with the handler on /webhooks/stripe; `bodyParserFirst` reads c.req.raw in a middleware first. */
function honoApp(receiver: Receiver, options: StartOptions, extra: WebhookHandlerOptions = {}): Hono {
  const app = new Hono();
  if (options.bodyParserFirst) {
    app.use(async (c, next) => {
      await c.req.raw.json();
      await next();
    });
  }
  const { publicUrl } = options;
  app.post("/webhooks/stripe", webhookHandler(receiver, { ...extra, ...(publicUrl ? { publicUrl } : {}) }));
  return app;
}

adapterScenarios({
  name: "Hono: app.request()",
  bodyParser: "an earlier middleware that read c.req.raw",
  clientIp: false,
  async start(receiver, options) {
    const app = honoApp(receiver, options);
    const url = "http://hono.test/webhooks/stripe";
    const fetch = async (request: Request) => app.request(request);
    return {
      url,
      fetch,
      async post(headers, body) {
        const response = await app.request(url, { method: "POST", headers, body });
        return { status: response.status, headers: response.headers, text: await response.text() };
      },
      async close() {},
    };
  },
});

adapterScenarios({
  name: "Hono on @hono/node-server, ip from getConnInfo",
  bodyParser: "an earlier middleware that read c.req.raw",
  clientIp: true,
  async start(receiver, options) {
    const app = honoApp(receiver, options, { ip: (c) => getConnInfo(c).remote.address });
    return serveFetch(app.fetch, "/webhooks/stripe");
  },
});

describe("Hono specifics", () => {
  const scheme = schemes.stripe({ secret: "whsec_hono_specifics" });
  const running: StartedApp[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((app) => app.close()));
    vi.restoreAllMocks();
  });

  async function deliver(app: Hono, headers: Record<string, string>, body: string) {
    const response = await app.request("http://hono.test/webhooks", { method: "POST", headers, body });
    return {
      status: response.status,
      json: (await response.json()) as { error?: { code: string; message: string } },
    };
  }

  /** An app whose middleware reads the body one way before the webhook handler runs. */
  function readingFirst(receiver: Receiver, read: (c: import("hono").Context) => Promise<unknown>) {
    const app = new Hono();
    app.use(async (c, next) => {
      await read(c);
      await next();
    });
    app.post("/webhooks", webhookHandler(receiver));
    return app;
  }

  const body = stripeEvent({ note: "héllo 🎉", crlf: "a\r\nb" }).body.replaceAll("\n", "\r\n");

  for (const [reader, read] of [
    ["c.req.json()", (c) => c.req.json()],
    ["c.req.text()", (c) => c.req.text()],
    ["c.req.arrayBuffer()", (c) => c.req.arrayBuffer()],
  ] as const satisfies ReadonlyArray<readonly [string, (c: import("hono").Context) => Promise<unknown>]>) {
    it(`verifies the sender's bytes after an earlier ${reader} (Hono caches what it read)`, async () => {
      const receiver = createReceiver({ scheme });
      const raw: Uint8Array[] = [];
      receiver.onAny((event) => void raw.push(event.rawBody));
      const answer = await deliver(readingFirst(receiver, read), await scheme.sign({ rawBody: body }), body);
      expect(answer.status).toBe(200);
      expect(raw).toHaveLength(1);
      expect(Buffer.from(raw[0]!).equals(Buffer.from(body))).toBe(true);
    });
  }

  it("explains a body cached as parsed JSON, which c.req.text() would re-serialize", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const receiver = createReceiver({ scheme });
    const handler = vi.fn();
    receiver.onAny(handler);
    // What c.req.json() did in earlier Hono 4 releases: cache the parsed value under `json`.
    const app = readingFirst(receiver, async (c) => {
      c.req.bodyCache.json = c.req.raw.json();
      return c.req.bodyCache.json;
    });
    const answer = await deliver(app, await scheme.sign({ rawBody: body }), body);
    expect(answer.status).toBe(500);
    expect(answer.json.error?.code).toBe("raw_body_required");
    expect(answer.json.error?.message).toContain("c.req.json() in an earlier middleware");
    expect(handler).not.toHaveBeenCalled();
  });

  it("explains a body cached as FormData, which would come back re-encoded (Twilio)", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const twilio = schemes.twilio({ secret: "twilio_token" });
    const receiver = createReceiver({ scheme: twilio });
    const app = new Hono();
    app.post(
      "/webhooks",
      async (c, next) => {
        await c.req.formData();
        await next();
      },
      webhookHandler(receiver),
    );
    const form = "MessageSid=SM1&MessageStatus=sent&Body=caf%C3%A9";
    const answer = await deliver(
      app,
      await twilio.sign({ rawBody: form, url: "http://hono.test/webhooks" }),
      form,
    );
    expect(answer.status).toBe(500);
    expect(answer.json.error?.code).toBe("raw_body_required");
    expect(answer.json.error?.message).toContain("c.req.formData() in an earlier middleware");
  });

  it("verifies a form after Hono's form validator parsed it", async () => {
    const twilio = schemes.twilio({ secret: "twilio_token" });
    const receiver = createReceiver({ scheme: twilio });
    const app = new Hono();
    app.post(
      "/webhooks",
      validator("form", (value) => value),
      webhookHandler(receiver),
    );
    const form = "MessageSid=SM1&MessageStatus=sent&Body=caf%C3%A9";
    const answer = await deliver(
      app,
      await twilio.sign({ rawBody: form, url: "http://hono.test/webhooks" }),
      form,
    );
    expect(answer.status).toBe(200);
  });

  it("hands the receiver Node's header record on @hono/node-server, and the request's Headers elsewhere", async () => {
    const seen: unknown[] = [];
    const receiver = createReceiver({ scheme });
    const spy: Pick<Receiver, "handle"> = {
      handle: (input) => {
        seen.push(input.headers);
        return receiver.handle(input);
      },
    };
    const app = new Hono();
    app.post("/webhooks", webhookHandler(spy));
    const headers = await scheme.sign({ rawBody: body });
    const served = await serveFetch(app.fetch, "/webhooks");
    running.push(served);
    const overHttp = await fetch(served.url, { method: "POST", headers, body });
    expect(overHttp.status).toBe(200);
    expect((await deliver(app, headers, body)).status).toBe(200);
    const [node, web] = seen as [Record<string, string>, Headers];
    expect(node).not.toBeInstanceOf(Headers);
    expect(node["stripe-signature"]).toBe(headers["stripe-signature"]);
    expect(web).toBeInstanceOf(Headers);
    expect(web.get("stripe-signature")).toBe(headers["stripe-signature"]);
  });

  it("on @hono/node-server, reads Node's request to verify, and explains one a middleware read first", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const receiver = createReceiver({ scheme });
    const raw: Uint8Array[] = [];
    receiver.onAny((event) => void raw.push(event.rawBody));
    const app = new Hono<{ Bindings: { incoming: import("node:http").IncomingMessage } }>();
    app.use("/read-first", async (c, next) => {
      for await (const _ of c.env.incoming) {
        // Drained by Node's own stream API, as a Node body parser would.
      }
      await next();
    });
    app.post("/webhooks", webhookHandler(receiver));
    app.post("/read-first", webhookHandler(receiver));
    const served = await serveFetch(app.fetch, "/webhooks");
    running.push(served);
    const headers = await scheme.sign({ rawBody: body });
    const untouched = await fetch(served.url, { method: "POST", headers, body });
    expect(untouched.status).toBe(200);
    expect(Buffer.from(raw[0]!).equals(Buffer.from(body))).toBe(true);
    const readFirst = await fetch(served.url.replace("/webhooks", "/read-first"), {
      method: "POST",
      headers,
      body,
    });
    expect(readFirst.status).toBe(500);
    expect(((await readFirst.json()) as { error: { code: string } }).error.code).toBe("raw_body_required");
    expect(raw).toHaveLength(1);
  });

  it("answers through c, keeping headers set by earlier middleware", async () => {
    const receiver = createReceiver({ scheme });
    const app = new Hono();
    app.use(async (c, next) => {
      c.header("x-served-by", "hono");
      await next();
    });
    app.post("/webhooks", webhookHandler(receiver));
    const response = await app.request("http://hono.test/webhooks", {
      method: "POST",
      headers: await scheme.sign({ rawBody: body }),
      body,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-served-by")).toBe("hono");
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  });
});
