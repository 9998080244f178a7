import { createServer, type Server } from "node:http";
import { type AddressInfo, connect, type Socket } from "node:net";
import { createReceiver, memoryStore, schemes } from "@hookgate/core";
import { webhookMiddleware } from "@hookgate/express";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";

// Resource bounds over real HTTP (Express on 127.0.0.1): a slow or endless body is cut, the
// connection closed; garbage leaves nothing in the store; memoryStore keeps to maxKeys.

const stripe = schemes.stripe({ secret: "whsec_hostile_bounds" });
const COUNT = Number(process.env.GARBAGE_COUNT ?? 10_000);
const servers: Server[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

async function start(options: {
  maxBodyBytes?: number;
  bodyTimeoutMs?: number;
  store?: ReturnType<typeof memoryStore>;
}) {
  const receiver = createReceiver({ scheme: stripe, ...options });
  let handled = 0;
  receiver.onAny(() => void handled++);
  const app = express();
  app.post("/webhooks", webhookMiddleware(receiver));
  const server = createServer(app);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as AddressInfo).port, handled: () => handled };
}

interface RawExchange {
  status: number;
  head: string;
  /** Body bytes the client managed to write before the server closed the connection. */
  bytesSent: number;
}

/**
 * Opens a raw socket, sends a request head, then feeds the body by `feed` until the server
 * answers and closes the connection (or `giveUpMs` passes).
 */
function rawExchange(
  port: number,
  head: string,
  feed: (write: (chunk: string) => boolean) => () => void,
  giveUpMs = 8_000,
): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    sockets.push(socket);
    let received = "";
    let bytesSent = 0;
    let stop = () => {};
    const giveUp = setTimeout(() => {
      stop();
      socket.destroy();
      reject(
        new Error(`the server neither answered nor closed within ${giveUpMs} ms: ${received.slice(0, 200)}`),
      );
    }, giveUpMs);
    socket.on("error", () => {});
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1");
    });
    socket.on("close", () => {
      clearTimeout(giveUp);
      stop();
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0);
      resolve({
        status,
        head: received.slice(0, received.indexOf("\r\n\r\n")).toLowerCase(),
        bytesSent,
      });
    });
    socket.on("connect", () => {
      socket.write(head);
      stop = feed((chunk) => {
        if (socket.destroyed || !socket.writable) return false;
        bytesSent += Buffer.byteLength(chunk);
        return socket.write(chunk);
      });
    });
  });
}

async function signedHead(length: number | "chunked", body: string) {
  const headers = await stripe.sign({ rawBody: body });
  const lines = [
    "POST /webhooks HTTP/1.1",
    "Host: 127.0.0.1",
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    length === "chunked" ? "Transfer-Encoding: chunked" : `Content-Length: ${length}`,
  ];
  return `${lines.join("\r\n")}\r\n\r\n`;
}

describe("resource bounds over real HTTP", () => {
  it("a slow body is cut at bodyTimeoutMs with 408 and Connection: close, and the connection is closed", async () => {
    const { port, handled } = await start({ bodyTimeoutMs: 300 });
    const body = JSON.stringify({ id: "evt_slow", type: "invoice.paid", pad: "x".repeat(200) });
    const head = await signedHead(body.length, body);
    const exchange = await rawExchange(port, head, (write) => {
      // A byte every 100 ms: the whole body would take ~25 s.
      let i = 0;
      const timer = setInterval(() => {
        if (i < body.length) write(body[i++]!);
      }, 100);
      return () => clearInterval(timer);
    });
    expect(exchange.status).toBe(408);
    expect(exchange.head).toContain("connection: close");
    // Cut before the body could finish (and closed, or rawExchange would have given up).
    expect(exchange.bytesSent).toBeLessThan(body.length);
    expect(handled()).toBe(0);
  });

  it("an endless chunked body is cut at maxBodyBytes with 413 and Connection: close, and the connection is closed", async () => {
    const maxBodyBytes = 64 * 1024;
    const { port, handled } = await start({ maxBodyBytes, bodyTimeoutMs: 10_000 });
    const head = await signedHead("chunked", "{}");
    const piece = "a".repeat(8 * 1024);
    const chunk = `${piece.length.toString(16)}\r\n${piece}\r\n`;
    const exchange = await rawExchange(port, head, (write) => {
      const timer = setInterval(() => {
        write(chunk);
      }, 5);
      return () => clearInterval(timer);
    });
    expect(exchange.status).toBe(413);
    expect(exchange.head).toContain("connection: close");
    // The server stopped reading soon after maxBodyBytes (socket buffers allow some slack).
    expect(exchange.bytesSent).toBeLessThan(16 * 1024 * 1024);
    expect(handled()).toBe(0);
  });

  it("a declared Content-Length over maxBodyBytes is refused with 413 before the body is read", async () => {
    const { port } = await start({ maxBodyBytes: 1024, bodyTimeoutMs: 10_000 });
    const head = await signedHead(10 * 1024 * 1024, "{}");
    // Send nothing after the head: the answer must not wait for the body.
    const exchange = await rawExchange(port, head, () => () => {});
    expect(exchange.status).toBe(413);
    expect(exchange.head).toContain("connection: close");
    expect(exchange.bytesSent).toBe(0);
  });

  it("10,000 distinct garbage requests leave the memoryStore empty", async () => {
    const store = memoryStore();
    const { port, handled } = await start({ store });
    const garbage = (i: number) => {
      const body = JSON.stringify({ id: `evt_garbage_${i}`, type: "invoice.paid", n: i });
      const signature = [
        `t=${Math.floor(Date.now() / 1000)},v1=${i.toString(16).padStart(64, "0")}`,
        `t=${i},v1=${"ab".repeat(32)}`,
        `garbage ${i}`,
        undefined,
      ][i % 4];
      return [
        "POST /webhooks HTTP/1.1",
        "Host: 127.0.0.1",
        "Content-Type: application/json",
        `Content-Length: ${Buffer.byteLength(body)}`,
        ...(signature === undefined ? [] : [`Stripe-Signature: ${signature}`]),
        "",
        body,
      ].join("\r\n");
    };
    // Pipelined over 8 keep-alive connections, so the client costs little next to the server.
    const connections = 8;
    const statuses = new Map<string, number>();
    await Promise.all(
      Array.from({ length: connections }, (_, c) => {
        const mine = Array.from(
          { length: Math.ceil(COUNT / connections) },
          (_, k) => c + k * connections,
        ).filter((i) => i < COUNT);
        return new Promise<void>((resolve, reject) => {
          const socket = connect(port, "127.0.0.1");
          sockets.push(socket);
          let seen = 0;
          let tail = "";
          socket.on("error", reject);
          socket.on("data", (chunk) => {
            const text = tail + chunk.toString("latin1");
            for (const match of text.matchAll(/HTTP\/1\.1 (\d{3})/g)) {
              statuses.set(match[1]!, (statuses.get(match[1]!) ?? 0) + 1);
              seen++;
            }
            tail = text.slice(-16);
            // Keep only a partial status line for the next chunk.
            if (/HTTP\/1\.1 \d{3}/.test(tail)) tail = "";
            if (seen >= mine.length) {
              socket.end();
              resolve();
            }
          });
          socket.on("connect", async () => {
            for (let k = 0; k < mine.length; k += 50) {
              const batch = mine
                .slice(k, k + 50)
                .map(garbage)
                .join("");
              if (!socket.write(batch)) await new Promise((drain) => socket.once("drain", drain));
            }
          });
        });
      }),
    );
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(COUNT);
    for (const status of statuses.keys()) expect(["400", "401"]).toContain(status);
    expect(store.size).toBe(0);
    expect(handled()).toBe(0);
  }, 90_000);

  it("memoryStore stays within maxKeys while distinct valid deliveries keep arriving", async () => {
    const maxKeys = 50;
    const store = memoryStore({ maxKeys });
    const receiver = createReceiver({ scheme: stripe, store });
    let handled = 0;
    receiver.onAny(() => void handled++);
    let largest = 0;
    for (let i = 0; i < 400; i++) {
      const body = JSON.stringify({ id: `evt_bounded_${i}`, type: "invoice.paid" });
      const answer = await receiver.handle({
        method: "POST",
        url: "http://127.0.0.1/webhooks",
        headers: await stripe.sign({ rawBody: body }),
        rawBody: body,
      });
      expect(answer.status).toBe(200);
      largest = Math.max(largest, store.size);
    }
    expect(handled).toBe(400);
    expect(largest).toBeLessThanOrEqual(maxKeys);
  });
});
