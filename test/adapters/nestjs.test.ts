import "reflect-metadata";
import { createReceiver, type Receiver, schemes } from "@hookgate/core";
import { HookgateModule, HookgateService, type NestRequest, type NestResponse } from "@hookgate/nestjs";
import { Body, Controller, type INestApplication, Inject, Module, Post, Req, Res } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import { ExpressAdapter, type NestExpressApplication } from "@nestjs/platform-express";
import { FastifyAdapter, type NestFastifyApplication } from "@nestjs/platform-fastify";
import express from "express";
import fastify, { type FastifyReply, type FastifyRequest } from "fastify";
import { afterEach, describe, expect, expectTypeOf, it, vi } from "vitest";
import { adapterScenarios, type StartedApp, type StartOptions, stripeEvent } from "./scenarios.js";

// The repository's tsconfig has no experimentalDecorators: Nest's decorators are applied as calls,
// exactly as the compiled output of `@Controller("hooks") class …` would.
function method(target: { prototype: object }, name: string, ...decorators: MethodDecorator[]): void {
  const descriptor = Object.getOwnPropertyDescriptor(target.prototype, name)!;
  for (const decorate of decorators) decorate(target.prototype, name, descriptor);
}

type Platform = "express" | "fastify";

/** A platform adapter; `preParsed` first mounts a body parser on the instance Nest is given. */
function platformAdapter(platform: Platform, preParsed: boolean) {
  if (platform === "express") {
    const server = express();
    if (preParsed) server.use(express.json());
    return new ExpressAdapter(server);
  }
  const instance = fastify({ bodyLimit: 8 << 20 });
  if (preParsed)
    // What a body-reading hook or @fastify/express + express.json() does: reads request.raw first.
    instance.addHook("onRequest", async (request) => {
      for await (const _chunk of request.raw);
    });
  // The instance comes from the test's fastify, a copy other than the one Nest's adapter types name.
  return new FastifyAdapter(instance as unknown as ConstructorParameters<typeof FastifyAdapter>[0]);
}

async function listen(app: INestApplication, path: string): Promise<StartedApp> {
  await app.listen(0, "127.0.0.1");
  const origin = (await app.getUrl()).replace("[::1]", "127.0.0.1");
  return { url: `${origin}${path}`, close: () => app.close() };
}

/** A user's controller, calling HookgateService from its own route. */
class WebhooksController {
  constructor(readonly hookgate: HookgateService) {}
  async stripe(req: NestRequest, res: NestResponse): Promise<void> {
    await this.hookgate.handle(req, res);
  }
  echo(body: unknown): unknown {
    return { parsed: body };
  }
}
Inject(HookgateService)(WebhooksController, undefined, 0);
Controller("hooks")(WebhooksController);
method(WebhooksController, "stripe", Post("stripe"));
Req()(WebhooksController.prototype, "stripe", 0);
Res()(WebhooksController.prototype, "stripe", 1);
method(WebhooksController, "echo", Post("echo"));
Body()(WebhooksController.prototype, "echo", 0);

function appModule(receiver: Receiver, options: StartOptions, path?: string) {
  class AppModule {}
  const hookgate = HookgateModule.forRoot({
    receiver,
    ...(path ? { path } : {}),
    ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
  });
  Module({ imports: [hookgate], controllers: [WebhooksController] })(AppModule);
  return AppModule;
}

for (const platform of ["express", "fastify"] as const) {
  adapterScenarios({
    name: `NestJS on ${platform}: HookgateModule.forRoot({ receiver, path }), Nest's default body parser`,
    bodyParser: "rawBody: true",
    clientIp: true,
    async start(receiver, options) {
      const adapter = platformAdapter(platform, options.bodyParserFirst === true);
      const app = await NestFactory.create(appModule(receiver, options, "/webhooks/stripe"), adapter, {
        logger: false,
      });
      return listen(app, "/webhooks/stripe");
    },
  });

  adapterScenarios({
    name: `NestJS on ${platform}: HookgateService in a controller, NestFactory.create(AppModule, { rawBody: true })`,
    bodyParser: "rawBody: true",
    clientIp: true,
    async start(receiver, options) {
      const rawBody = !options.bodyParserFirst; // without it, Nest's parser leaves nothing to verify
      const app = await NestFactory.create<NestExpressApplication | NestFastifyApplication>(
        appModule(receiver, options),
        platformAdapter(platform, false),
        { logger: false, rawBody },
      );
      // Nest's JSON parser takes 100 kB by default on Express; webhooks (GitHub's) can be larger.
      if (platform === "express") (app as NestExpressApplication).useBodyParser("json", { limit: "8mb" });
      return listen(app, "/hooks/stripe");
    },
  });
}

describe("NestJS specifics", () => {
  const scheme = schemes.stripe({ secret: "whsec_nestjs_specifics" });
  const running: INestApplication[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((app) => app.close()));
    vi.restoreAllMocks();
  });

  for (const platform of ["express", "fastify"] as const) {
    it(`${platform}: the forRoot route reads the exact bytes while Nest's parser keeps serving other routes`, async () => {
      const log = vi.spyOn(console, "error").mockImplementation(() => {});
      const receiver = createReceiver({ scheme });
      const raw: Uint8Array[] = [];
      receiver.onAny((event) => void raw.push(event.rawBody));
      const app = await NestFactory.create(
        appModule(receiver, {}, "/webhooks/stripe"),
        platformAdapter(platform, false),
        {
          logger: false,
        },
      );
      running.push(app);
      const { url } = await listen(app, "");

      const echo = await fetch(`${url}/hooks/echo`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{ "sku":  "a-1" }',
      });
      expect(await echo.json()).toEqual({ parsed: { sku: "a-1" } });

      const { id, body } = stripeEvent({ note: "héllo 🎉" });
      const bytes = Buffer.from(body.replaceAll("\n", "\r\n"));
      const answer = await fetch(`${url}/webhooks/stripe`, {
        method: "POST",
        headers: await scheme.sign({ rawBody: bytes }),
        body: bytes,
      });
      expect(await answer.json()).toEqual({ status: "handled", id });
      expect(Buffer.from(raw[0]!).equals(bytes)).toBe(true);

      // The same delivery through the controller route without rawBody: true is refused with the fix named.
      const refused = await fetch(`${url}/hooks/stripe`, {
        method: "POST",
        headers: await scheme.sign({ rawBody: bytes }),
        body: bytes,
      });
      expect(refused.status).toBe(500);
      expect(((await refused.json()) as { error: { message: string } }).error.message).toContain(
        "NestFactory.create(AppModule, { rawBody: true })",
      );
      expect(log).toHaveBeenCalledTimes(1);
    });
  }

  it("forRoot with a path refuses an app without HTTP, naming the fix", async () => {
    const receiver = createReceiver({ scheme });
    await expect(
      NestFactory.createApplicationContext(appModule(receiver, {}, "/webhooks"), {
        logger: false,
        abortOnError: false,
      }),
    ).rejects.toThrow(/NestFactory.create, or leave path out/);
  });

  it("takes what @Req() and @Res() give on either platform, as typed by Express and Fastify", () => {
    expectTypeOf<express.Request>().toExtend<NestRequest>();
    expectTypeOf<express.Response>().toExtend<NestResponse>();
    expectTypeOf<FastifyRequest>().toExtend<NestRequest>();
    expectTypeOf<FastifyReply>().toExtend<NestResponse>();
  });
});
