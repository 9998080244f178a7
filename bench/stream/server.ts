/**
 * The streaming-verification benchmark's server, its own process: `server.ts`. Two receivers on
 * node:http (`handleNodeRequest`), Standard Webhooks, handlers inline (memoryStore dedupe, no-op
 * handler): `/stream` hashes the body as it arrives, `/buffered` (`streamVerify: false`) after
 * reading it. Prints `{"port":…}` once listening. `GET /stats` answers, per path, the times from
 * each body's last chunk read to its answer written since the last `/stats`, and clears them.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { createReceiver, schemes } from "@hookgate/core";
import { handleNodeRequest, writeNodeResponse } from "@hookgate/core/kit";
import { SECRET } from "../http/deliveries.js";

const make = (streamVerify: boolean) =>
  createReceiver({
    scheme: schemes.standardWebhooks({ secret: SECRET }),
    maxBodyBytes: 8 << 20,
    bodyTimeoutMs: 60_000,
    streamVerify,
  }).onAny(() => {});
const receivers = { "/stream": make(true), "/buffered": make(false) };

// Per path, milliseconds from the body's last chunk read off the socket to the answer written.
const afterLastChunk: Record<string, number[]> = { "/stream": [], "/buffered": [] };

const server = createServer((req, res) => {
  if (req.url === "/stats") {
    res.end(JSON.stringify(afterLastChunk));
    for (const list of Object.values(afterLastChunk)) list.length = 0;
    return;
  }
  const receiver = receivers[req.url as keyof typeof receivers];
  if (!receiver) {
    res.statusCode = 404;
    res.end();
    return;
  }
  // Every chunk a Readable hands out, in flowing mode or through read(), is emitted as `data`.
  let lastChunk = 0;
  const emit = req.emit;
  req.emit = function (this: typeof req, event: string | symbol, ...args: unknown[]) {
    if (event === "data") lastChunk = performance.now();
    return emit.call(this, event, ...args);
  } as typeof req.emit;
  handleNodeRequest(receiver, req).then((result) => {
    writeNodeResponse(res, result);
    afterLastChunk[req.url!]!.push(performance.now() - lastChunk);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  console.log(JSON.stringify({ port: (server.address() as AddressInfo).port }));
});
