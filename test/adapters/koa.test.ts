import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { createReceiver, type HandleInput, type Receiver, schemes } from "@hookgate/core";
import { webhookMiddleware } from "@hookgate/koa";
import Router from "@koa/router";
import Koa from "koa";
import bodyParser from "koa-bodyparser";
import { afterEach, describe, expect, it } from "vitest";
import { listen, requireFrom } from "./node-app.js";
import { adapterScenarios, type StartedApp, type StartOptions, stripeEvent } from "./scenarios.js";

const Koa2 = requireFrom<typeof Koa>("koa", "koa2");

const versions = [
  ["Koa 3", Koa, "koa"],
  ["Koa 2", Koa2, "koa2"],
] as const;

for (const [version, Framework, id] of versions) {
  it(`${version} is the version under test`, () => {
    const { version: installed } = requireFrom<{ version: string }>("koa", `${id}/package.json`);
    expect(installed.split(".")[0]).toBe(version.slice(-1));
  });

  adapterScenarios({
    name: `${version}: @koa/router router.post(path, webhookMiddleware(receiver))`,
    bodyParser: "koa-bodyparser",
    clientIp: true,
    async start(receiver: Receiver, options: StartOptions) {
      const app = new Framework();
      if (options.bodyParserFirst) app.use(bodyParser());
      const router = new Router({ prefix: "/hooks" });
      router.post("/stripe", webhookMiddleware(receiver, { ...options }));
      app.use(router.routes()).use(router.allowedMethods());
      return listen(createServer(app.callback()), "/hooks/stripe");
    },
  });
}

adapterScenarios({
  name: "Koa 3: app.use(webhookMiddleware(receiver))",
  bodyParser: "koa-bodyparser",
  clientIp: true,
  async start(receiver: Receiver, options: StartOptions) {
    const app = new Koa();
    if (options.bodyParserFirst) app.use(bodyParser());
    app.use(webhookMiddleware(receiver, { ...options }));
    return listen(createServer(app.callback()), "/webhooks?source=stripe");
  },
});

describe("Koa specifics", () => {
  const scheme = schemes.stripe({ secret: "whsec_koa_specifics" });
  const running: StartedApp[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((app) => app.close()));
  });

  async function start(configure: (app: Koa) => void, path = "/webhooks") {
    const app = new Koa();
    configure(app);
    const started = await listen(createServer(app.callback()), path);
    running.push(started);
    return started;
  }

  it("takes the client address from ctx.ip, so `app.proxy` applies", async () => {
    const receiver = createReceiver({ scheme, allowIps: ["203.0.113.0/24"] });
    const headers = { "x-forwarded-for": "203.0.113.7" };

    const trusting = await start((app) => {
      app.proxy = true;
      app.use(webhookMiddleware(receiver));
    });
    const { body } = stripeEvent();
    expect(
      (await trusting.post!({ ...(await scheme.sign({ rawBody: body })), ...headers }, body)).status,
    ).toBe(200);

    const direct = await start((app) => app.use(webhookMiddleware(receiver)));
    const other = stripeEvent().body;
    const answer = await direct.post!({ ...(await scheme.sign({ rawBody: other })), ...headers }, other);
    expect(answer.status).toBe(403);
  });

  it("derives the Twilio URL from the forwarded protocol and host when `app.proxy` is set", async () => {
    const twilio = schemes.twilio({ secret: "twilio_token" });
    const receiver = createReceiver({ scheme: twilio });
    const app = await start((app) => {
      app.proxy = true;
      app.use(webhookMiddleware(receiver));
    }, "/twilio?x=1");
    const form = "CallSid=CA1&CallStatus=completed";
    const headers = await twilio.sign({ rawBody: form, url: "https://hooks.example.com/twilio?x=1" });
    const answer = await app.post!(
      { ...headers, "x-forwarded-proto": "https", "x-forwarded-host": "hooks.example.com" },
      form,
    );
    expect(answer.status).toBe(200);
  });

  describe.each(versions)("%s: the URL a scheme is given is ctx.href", (_version, Framework) => {
    // Read from the request where the answer is plain, from Koa's getters otherwise: the same value.
    const cases: [string, { proxy?: boolean; path?: string; headers?: Record<string, string> }][] = [
      ["a plain request", {}],
      ["a query string", { path: "/webhooks?x=1&y=%20" }],
      ["a Host with a port", { headers: { host: "hooks.example.com:8443" } }],
      ["a Host with userinfo", { headers: { host: "user@hooks.example.com" } }],
      ["a Host of two values", { headers: { host: "a.example.com, b.example.com" } }],
      ["an absolute-form request target", { path: "http://hooks.example.com/webhooks" }],
      [
        "forwarded headers without app.proxy",
        { headers: { "x-forwarded-proto": "https", "x-forwarded-host": "hooks.example.com" } },
      ],
      [
        "forwarded headers with app.proxy",
        { proxy: true, headers: { "x-forwarded-proto": "HTTPS", "x-forwarded-host": "hooks.example.com" } },
      ],
      ["app.proxy without forwarded headers", { proxy: true }],
    ];
    it.each(cases)("%s", async (_name, { proxy = false, path = "/webhooks", headers = {} }) => {
      let seen: string | undefined;
      let href: string | undefined;
      const receiver = {
        async handle(input: HandleInput) {
          seen = input.url;
          return { status: 200, headers: {}, body: "", outcome: "handled" as const };
        },
      };
      const app = new Framework();
      app.proxy = proxy;
      const middleware = webhookMiddleware(receiver);
      app.use((ctx, next) => {
        href = ctx.href;
        return middleware(ctx, next);
      });
      const server = createServer(app.callback());
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      try {
        const { port } = server.address() as AddressInfo;
        await new Promise<void>((resolve, reject) => {
          const sent = request({ host: "127.0.0.1", port, method: "POST", path, headers }, (res) => {
            res.resume().on("end", resolve);
          });
          sent.on("error", reject).end("{}");
        });
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
      expect(href).toBeDefined();
      expect(seen).toBe(href);
    });
  });

  it("lets middleware mounted before it shape the answer", async () => {
    const receiver = createReceiver({ scheme }).onAny(() => {});
    const app = await start((app) => {
      app.use(async (ctx, next) => {
        await next();
        ctx.set("x-served-by", "koa");
      });
      app.use(webhookMiddleware(receiver));
    });
    const { id, body } = stripeEvent();
    const answer = await app.post!(await scheme.sign({ rawBody: body }), body);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ status: "handled", id });
    expect(answer.headers.get("x-served-by")).toBe("koa");
    expect(answer.headers.get("content-type")).toMatch(/^application\/json/);
  });
});
