import {
  handleNodeRequest,
  type NodeRequestLike,
  type NodeResponseLike,
  writeNodeResponse,
} from "@hookgate/core/kit";
import { readBodySource } from "./body-source.js";

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
        const request = new Request(input.url!, {
          method: input.method ?? "GET",
          headers: Object.entries(input.headers as Record<string, string | string[] | undefined>).flatMap(
            ([name, value]): Array<[string, string]> =>
              value === undefined ? [] : [[name, Array.isArray(value) ? value.join(", ") : value]],
          ),
          ...(hasBody ? { body: (await readBodySource(input.rawBody)) as Uint8Array<ArrayBuffer> } : {}),
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
