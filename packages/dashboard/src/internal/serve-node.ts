import { isWebhookError } from "@hookgate/core";
import {
  errorAnswer,
  handleNodeRequest,
  type NodeRequestLike,
  type NodeResponseLike,
  readBody,
  writeNodeResponse,
} from "@hookgate/core/kit";

/** Most bytes read from a Node request for the dashboard, and how long it may take: its forms are small. */
const MAX_BODY_BYTES = 64 * 1024;
const BODY_TIMEOUT_MS = 10_000;

/** A Node request as Express and friends hand it over: `originalUrl` keeps the mount path. */
export type DashboardNodeRequest = NodeRequestLike & { originalUrl?: string };

/**
 * Answers a Node `(req, res)` with the dashboard's `fetch`, through core's Node bridge: the
 * bridge reads the request, and the dashboard is the handler of the Web request built from it.
 */
export async function serveNode(
  fetch: (request: Request) => Promise<Response>,
  req: DashboardNodeRequest,
  res: NodeResponseLike,
): Promise<void> {
  const url = req.originalUrl === undefined ? undefined : nodeUrl(req, req.originalUrl);
  // A body parser that ran first (express.urlencoded()) left the form as an object: re-encode it.
  const parsed = (req as { body?: unknown }).body;
  const plain =
    parsed !== null &&
    typeof parsed === "object" &&
    [Object.prototype, null].includes(Object.getPrototypeOf(parsed));
  const form =
    req.readableEnded && plain ? new URLSearchParams(parsed as Record<string, string>).toString() : undefined;
  // Through core's Node bridge, with the dashboard as the handler of the request it builds.
  const result = await handleNodeRequest(
    {
      async handle(input) {
        const hasBody = input.method !== "GET" && input.method !== "HEAD";
        let body: Uint8Array | undefined;
        try {
          // Core's one body reader: bounded in size and time (413, 408), as a webhook body is.
          if (hasBody) body = (await readBody(input.rawBody, MAX_BODY_BYTES, BODY_TIMEOUT_MS)) as Uint8Array;
        } catch (error) {
          if (!isWebhookError(error)) throw error;
          return errorAnswer(error);
        }
        const request = new Request(input.url!, {
          method: input.method ?? "GET",
          headers: Object.entries(input.headers as Record<string, string | string[] | undefined>).flatMap(
            ([name, value]): Array<[string, string]> =>
              value === undefined ? [] : [[name, Array.isArray(value) ? value.join(", ") : value]],
          ),
          ...(body ? { body: body as Uint8Array<ArrayBuffer> } : {}),
        });
        const response = await fetch(request);
        return {
          status: response.status,
          headers: Object.fromEntries(response.headers),
          body: await response.text(),
          outcome: "handled",
        };
      },
    },
    req,
    { ...(url === undefined ? {} : { url }), ...(form === undefined ? {} : { body: form }) },
  );
  writeNodeResponse(res, result);
}

/** The full URL of a Node request whose framework rewrote `req.url` under a mount path (Express). */
function nodeUrl(req: NodeRequestLike, path: string): string {
  const host = req.headers.host ?? "localhost";
  const protocol = req.socket?.encrypted ? "https" : "http";
  return `${protocol}://${Array.isArray(host) ? host[0] : host}${path}`;
}
