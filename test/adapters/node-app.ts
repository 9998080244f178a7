import type { Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import request from "supertest";
import type { Answer, Body, StartedApp } from "./scenarios.js";

/**
 * Loads a package that only an adapter package depends on (the `express4` and `koa2` aliases),
 * from that package's own node_modules.
 */
export function requireFrom<T>(adapterPackage: string, id: string): T {
  return createRequire(new URL(`../../packages/${adapterPackage}/package.json`, import.meta.url))(id) as T;
}

/** Listens on a free port of 127.0.0.1 and posts to `path` through supertest. */
export async function listen(server: Server, path: string): Promise<StartedApp> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    async post(headers: Record<string, string>, body: Body): Promise<Answer> {
      const response = await request(server)
        .post(path)
        .set(headers)
        // superagent would JSON-serialize a Buffer sent as application/json; send the bytes as they are.
        .serialize((data: unknown) => data as string)
        .send(typeof body === "string" ? body : Buffer.from(body));
      return {
        status: response.status,
        headers: new Headers(response.headers as Record<string, string>),
        text: response.text,
      };
    },
    close: () =>
      new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/**
 * Serves a fetch handler with `@hono/node-server` on a free port of 127.0.0.1; posts go through
 * `fetch`. The handler gets what node-server passes beside the request: Node's `incoming` and `outgoing`.
 */
export async function serveFetch(
  handler: (request: Request, env: { incoming: unknown; outgoing: unknown }) => Response | Promise<Response>,
  path: string,
): Promise<StartedApp> {
  const { serve } = await import("@hono/node-server");
  const { server, port } = await new Promise<{ server: ReturnType<typeof serve>; port: number }>(
    (resolve) => {
      const server = serve({ fetch: handler, port: 0, hostname: "127.0.0.1" }, (info) =>
        resolve({ server, port: info.port }),
      );
    },
  );
  return {
    url: `http://127.0.0.1:${port}${path}`,
    close: () =>
      new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
