import type { Receiver } from "@hookgate/core";
import { handleNodeRequest } from "@hookgate/core/kit";
import type { FastifyInstance, FastifyRequest } from "fastify";

/** Options for {@link webhookPlugin}. */
export interface WebhookPluginOptions {
  /** The receiver that verifies and handles what arrives on `path`. */
  receiver: Pick<Receiver, "handle">;
  /** The webhook route, relative to the plugin's `prefix` (`/webhooks/:tenant` gives `params`). */
  path: string;
  /**
   * The public URL the sender posted to, for schemes that sign it (Twilio). Set it behind a proxy
   * that changes the scheme, host or path.
   * @default `${request.protocol}://${request.host}${request.url}` (`trustProxy` applies)
   */
  publicUrl?: string | ((request: FastifyRequest) => string);
}

/**
 * Fastify 4 and 5 plugin that adds a POST route at `path`, reads its exact raw body, runs it
 * through the receiver and answers. Register it as is (not through `fastify-plugin`): its
 * content-type parser then leaves the webhook route's body unread, and every other route keeps
 * Fastify's parsers.
 *
 * @example
 * app.register(webhookPlugin, { receiver, path: "/webhooks/stripe" });
 */
export async function webhookPlugin(fastify: FastifyInstance, options: WebhookPluginOptions): Promise<void> {
  const { receiver, path, publicUrl } = options;
  // Scoped to this plugin's context: the body stays on request.raw for hookgate to read.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser("*", (_request, _payload, done) => done(null));
  fastify.post(path, async (request, reply) => {
    const result = await handleNodeRequest(receiver, request.raw, {
      url:
        typeof publicUrl === "function"
          ? publicUrl(request)
          : (publicUrl ??
            // Fastify 5's request.host; Fastify 4's request.hostname is the same host:port.
            `${request.protocol}://${(request as { host?: string }).host ?? request.hostname}${request.url}`),
      // request.ip, so that Fastify's `trustProxy` setting decides which address is the client's.
      ip: request.ip,
      params: request.params as Record<string, string>,
      parsers: "a hook or middleware that read request.raw (@fastify/express, @fastify/middie)",
    });
    return reply.code(result.status).headers(result.headers).send(result.body);
  });
}
