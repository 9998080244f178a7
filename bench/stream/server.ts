/**
 * The streaming-verification benchmark's server, its own process: `server.ts`. Two receivers on
 * node:http (`handleNodeRequest`), Standard Webhooks, handlers inline (memoryStore dedupe, no-op
 * handler): `/stream` hashes the body as it arrives, `/buffered` (`streamVerify: false`) after
 * reading it. Prints `{"port":…}` once listening.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
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

const server = createServer((req, res) => {
  const receiver = receivers[req.url as keyof typeof receivers];
  if (!receiver) {
    res.statusCode = 404;
    res.end();
    return;
  }
  handleNodeRequest(receiver, req).then((result) => writeNodeResponse(res, result));
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  console.log(JSON.stringify({ port: (server.address() as AddressInfo).port }));
});
