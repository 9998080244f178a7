import { WebhookError } from "@hookgate/core";
import type { HttpAdapterHost } from "@nestjs/core";
import type { HookgateService, NestRequest, NestResponse } from "./hookgate-service.js";

/** The parts of an Express app the route needs. */
interface ExpressApp {
  post(
    path: string,
    handler: (req: NestRequest, res: NestResponse, next: (error: unknown) => void) => void,
  ): unknown;
}

/** The parts of a Fastify instance the route needs (in the plugin context it registers). */
interface FastifyApp {
  register(plugin: (child: FastifyApp) => Promise<void>): unknown;
  removeAllContentTypeParsers(): unknown;
  addContentTypeParser(
    type: string,
    parser: (request: unknown, payload: unknown, done: (error: null) => void) => void,
  ): unknown;
  post(path: string, handler: (request: NestRequest, reply: NestResponse) => Promise<unknown>): unknown;
}

/**
 * Adds a POST route at `path` straight on the platform, while Nest builds the app: ahead of the
 * body parsers Nest adds when it starts, so the route reads the bytes itself, whatever the body
 * parser settings.
 */
export function mountWebhookRoute(host: HttpAdapterHost, path: string, service: HookgateService): void {
  const adapter = host.httpAdapter as HttpAdapterHost["httpAdapter"] | undefined;
  if (!adapter)
    throw new WebhookError(
      "invalid_option",
      "hookgate: HookgateModule.forRoot({ path }) serves an HTTP route: create the app with NestFactory.create, or leave path out",
    );
  if (adapter.getType() === "fastify") {
    (adapter.getInstance() as FastifyApp).register(async (child) => {
      // Scoped to this plugin context: the body stays on request.raw; Nest's parsers keep the rest.
      child.removeAllContentTypeParsers();
      child.addContentTypeParser("*", (_request, _payload, done) => done(null));
      child.post(path, async (request, reply) => {
        await service.handle(request, reply);
        return reply; // resolving with the reply: Fastify warns about any other value once sent
      });
    });
  } else {
    (adapter.getInstance() as ExpressApp).post(path, (req, res, next) => {
      service.handle(req, res).catch(next);
    });
  }
}
