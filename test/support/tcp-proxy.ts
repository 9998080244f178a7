import type { AddressInfo } from "node:net";
import { createServer, connect as dial, type Socket } from "node:net";

/** A loopback TCP proxy to a shared broker; closing it cuts every connection through it. */
export interface TcpProxy {
  /** `url` with its host and port replaced by the proxy's. */
  url: string;
  /** Stops listening and drops every connection: the broker is unreachable at `url` from then on. */
  close(): Promise<void>;
}

/**
 * Proxies 127.0.0.1:<free port> to `url`'s host and port, so a test can take "its" broker away
 * (a wrong port, a dropped network) without stopping the broker other tests share.
 */
export async function tcpProxy(url: string, defaultPort: number): Promise<TcpProxy> {
  const target = new URL(url);
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = dial(Number(target.port || defaultPort), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => {});
      socket.on("close", () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const proxied = new URL(url);
  proxied.hostname = "127.0.0.1";
  proxied.port = String((server.address() as AddressInfo).port);
  return {
    url: proxied.href,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
