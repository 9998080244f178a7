import type { HandleResult, Receiver } from "@hookgate/core";
import {
  handleNodeRequest,
  type NodeRequestLike,
  type NodeResponseLike,
  writeNodeResponse,
} from "@hookgate/core/kit";

/** What Nest's `@Req()` gives: an Express request (a Node request) or a Fastify request (`raw`). */
export interface NestRequest {
  headers: NodeRequestLike["headers"];
  /** Fastify: the Node request. */
  raw?: NodeRequestLike;
  /** The exact bytes Nest kept with `NestFactory.create(AppModule, { rawBody: true })`. */
  rawBody?: unknown;
  body?: unknown;
  ip?: string | undefined;
  params?: unknown;
  protocol?: string;
  /** Express: the path as requested, mount path included. */
  originalUrl?: string;
  url?: string;
  /** Fastify 5 (host:port; `trustProxy` applies). */
  host?: string;
  /** Fastify 4: host:port. */
  hostname?: string;
}

/** What Nest's `@Res()` gives: an Express response (a Node response) or a Fastify reply. */
export type NestResponse =
  | NodeResponseLike
  | {
      raw: NodeResponseLike;
      code(status: number): { headers(values: Record<string, string>): { send(body: string): unknown } };
    };

/** Options for {@link HookgateService}. */
export interface HookgateServiceOptions {
  /**
   * The public URL the sender posted to, for schemes that sign it (Twilio). Set it behind a proxy
   * that changes the scheme, host or path.
   * @default the request's protocol, Host and path as the platform reports them
   */
  publicUrl?: string | ((req: NestRequest) => string);
}

const PARSERS =
  "Nest's body parser, or one on the Express or Fastify instance given to Nest; NestFactory.create(AppModule, { rawBody: true }) makes Nest keep the bytes, and HookgateModule.forRoot({ receiver, path }) serves the route ahead of Nest's parsers";

/**
 * Runs a request through the receiver and writes the answer, on Nest's Express and Fastify
 * platforms. Inject it into a controller and call it from a `@Post()` route with `@Req()` and
 * `@Res()`; that route's bytes come from Nest's `rawBody: true`.
 */
export class HookgateService {
  constructor(
    /** The receiver requests are run through. */
    readonly receiver: Pick<Receiver, "handle">,
    private readonly options: HookgateServiceOptions = {},
  ) {}

  /** Verifies, deduplicates, runs the handlers and answers; resolves with what was answered. */
  async handle(req: NestRequest, res: NestResponse): Promise<HandleResult> {
    const { publicUrl } = this.options;
    const host = req.raw ? (req.host ?? req.hostname) : req.headers.host;
    const result = await handleNodeRequest(this.receiver, req.raw ?? (req as NodeRequestLike), {
      url:
        typeof publicUrl === "function"
          ? publicUrl(req)
          : (publicUrl ?? `${req.protocol ?? "http"}://${host}${req.originalUrl ?? req.url ?? "/"}`),
      // req.ip, so that the platform's trust-proxy setting decides which address is the client's.
      ip: req.ip,
      params: req.params as Record<string, string> | undefined,
      body: req.rawBody ?? req.body,
      parsers: PARSERS,
    });
    if ("code" in res) res.code(result.status).headers(result.headers).send(result.body);
    else writeNodeResponse(res, result);
    return result;
  }
}
