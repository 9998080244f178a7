import { createServer } from "node:http";
import { createReceiver, type Receiver, schemes } from "@hookgate/core";
import { webhookMiddleware } from "@hookgate/express";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { listen, requireFrom } from "./node-app.js";
import { adapterScenarios, type StartedApp, type StartOptions, stripeEvent } from "./scenarios.js";

type Express = typeof express;
const express4 = requireFrom<Express>("express", "express4");

const versions = [
  ["Express 5", express],
  ["Express 4", express4],
] as const;

for (const [version, framework] of versions) {
  it(`${version} is the version under test`, () => {
    const { version: installed } = requireFrom<{ version: string }>(
      "express",
      `${framework === express ? "express" : "express4"}/package.json`,
    );
    expect(installed.split(".")[0]).toBe(version.slice(-1));
  });

  adapterScenarios({
    name: `${version}: app.post(path, webhookMiddleware(receiver))`,
    bodyParser: "express.json()",
    clientIp: true,
    async start(receiver: Receiver, options: StartOptions) {
      const app = framework();
      if (options.bodyParserFirst) app.use(framework.json());
      app.post("/webhooks/stripe", webhookMiddleware(receiver, { ...options }));
      return listen(createServer(app), "/webhooks/stripe");
    },
  });

  adapterScenarios({
    name: `${version}: router.post(path, …) on app.use(mountPath, router)`,
    bodyParser: "express.json()",
    clientIp: true,
    async start(receiver: Receiver, options: StartOptions) {
      const app = framework();
      const router = framework.Router();
      if (options.bodyParserFirst) router.use(framework.urlencoded({ extended: false }), framework.json());
      router.post("/stripe", webhookMiddleware(receiver, { ...options }));
      app.use("/hooks", router);
      return listen(createServer(app), "/hooks/stripe");
    },
  });
}

adapterScenarios({
  name: "Express 5: app.use(path, webhookMiddleware(receiver))",
  bodyParser: "express.json()",
  clientIp: true,
  async start(receiver: Receiver, options: StartOptions) {
    const app = express();
    if (options.bodyParserFirst) app.use(express.json());
    app.use("/webhooks", webhookMiddleware(receiver, { ...options }));
    return listen(createServer(app), "/webhooks");
  },
});

describe("Express specifics", () => {
  const secret = "whsec_express_specifics";
  const scheme = schemes.stripe({ secret });
  const running: StartedApp[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((app) => app.close()));
  });

  async function start(configure: (app: express.Express) => void, path = "/webhooks") {
    const app = express();
    configure(app);
    const started = await listen(createServer(app), path);
    running.push(started);
    return started;
  }

  it("takes the client address from req.ip, so `trust proxy` applies", async () => {
    const receiver = createReceiver({ scheme, allowIps: ["203.0.113.0/24"] });
    const { body } = stripeEvent();
    const headers = { ...(await scheme.sign({ rawBody: body })), "x-forwarded-for": "203.0.113.7" };

    const trusting = await start((app) => {
      app.set("trust proxy", "loopback");
      app.post("/webhooks", webhookMiddleware(receiver));
    });
    expect((await trusting.post!(headers, body)).status).toBe(200);

    const direct = await start((app) => app.post("/webhooks", webhookMiddleware(receiver)));
    const answer = await direct.post!(headers, stripeEvent().body);
    expect(answer.status).toBe(403);
  });

  it("derives the Twilio URL with the protocol `trust proxy` reports", async () => {
    const twilio = schemes.twilio({ secret: "twilio_token" });
    const receiver = createReceiver({ scheme: twilio });
    const app = await start((app) => {
      app.set("trust proxy", "loopback");
      app.post("/twilio", webhookMiddleware(receiver));
    }, "/twilio");
    const form = "CallSid=CA1&CallStatus=completed";
    const host = new URL(app.url).host;
    const headers = await twilio.sign({ rawBody: form, url: `https://${host}/twilio` });
    const answer = await app.post!({ ...headers, "x-forwarded-proto": "https" }, form);
    expect(answer.status).toBe(200);
  });

  it("uses the exact bytes express.raw() read", async () => {
    const receiver = createReceiver({ scheme });
    let handled = 0;
    receiver.onAny(() => void handled++);
    const app = await start((app) => {
      app.use(express.raw({ type: "*/*" }));
      app.post("/webhooks", webhookMiddleware(receiver));
    });
    const { body } = stripeEvent({ note: "ünïcödé\r\n" });
    const answer = await app.post!(await scheme.sign({ rawBody: body }), body);
    expect(answer.status).toBe(200);
    expect(handled).toBe(1);
  });

  it("uses the exact bytes express.json({ verify }) kept on req.rawBody instead of refusing the parsed body", async () => {
    let handled = 0;
    const receiver = createReceiver({ scheme }).on("invoice.paid", () => {
      handled++;
    });
    const app = await start((app) => {
      app.use(
        express.json({
          verify: (req, _res, buf) => {
            (req as unknown as { rawBody: Buffer }).rawBody = buf;
          },
        }),
      );
      app.post("/webhooks", webhookMiddleware(receiver));
    });
    const { body } = stripeEvent();
    // Bytes JSON.stringify would not reproduce: only the kept raw bytes verify.
    const spaced = body.replace(":", " : ");
    const answer = await app.post!(await scheme.sign({ rawBody: spaced }), spaced);
    expect(answer.status).toBe(200);
    expect(handled).toBe(1);
  });

  it("does not blame express.json() for a body it did not parse", async () => {
    const twilio = schemes.twilio({ secret: "twilio_token" });
    const receiver = createReceiver({ scheme: twilio });
    const app = await start((app) => {
      app.use(express.json());
      app.post("/twilio", webhookMiddleware(receiver));
    }, "/twilio");
    const form = "MessageSid=SM1&MessageStatus=sent";
    const answer = await app.post!(await twilio.sign({ rawBody: form, url: app.url }), form);
    expect(answer.status).toBe(200);
  });
});
