import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, request } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { createReceiver, type Receiver, schemes } from "@hookgate/core";
import { handleNodeRequest, writeNodeResponse } from "@hookgate/core/kit";
import { afterEach, describe, expect, it } from "vitest";

// Streaming verification over real HTTP (the node:http bridge): a large body sent in many chunks
// with pauses is verified as it arrives; the answers are those of the buffered receiver
// (`streamVerify: false`) for genuine, tampered and oversized bodies.
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const CHUNK = 32 * 1024;
const servers: Array<ReturnType<typeof createServer>> = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A node:http server for `receiver`; `pulled` counts the body bytes the receiver read from each request. */
async function serve(receiver: Receiver): Promise<{ url: string; pulled: number[] }> {
  const pulled: number[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const at = pulled.push(0) - 1;
    // Counts what the bridge's reader takes from the stream (a chunked body is read through it).
    const iterate = req[Symbol.asyncIterator].bind(req);
    req[Symbol.asyncIterator] = () => {
      const inner = iterate();
      return Object.assign(Object.create(inner), {
        async next() {
          const step = await inner.next();
          if (!step.done) pulled[at]! += (step.value as Uint8Array).byteLength;
          return step;
        },
      });
    };
    handleNodeRequest(receiver, req).then((result) => writeNodeResponse(res, result));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, pulled };
}

/**
 * POSTs `body` in chunks of {@link CHUNK} with a pause after each, with a Content-Length or
 * chunked; stops writing once an answer arrives. Resolves with the status, body and bytes written.
 */
function send(
  url: string,
  headers: Record<string, string>,
  body: Uint8Array,
  declared: boolean,
): Promise<{ status: number; body: string; written: number }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    let written = 0;
    const req = request(
      url,
      { method: "POST", headers: declared ? { ...headers, "content-length": String(body.length) } : headers },
      (res) => {
        answered = true;
        const parts: Buffer[] = [];
        res.on("data", (part: Buffer) => parts.push(part));
        res.on("end", () =>
          resolve({ status: res.statusCode!, body: Buffer.concat(parts).toString(), written }),
        );
      },
    );
    req.on("error", (error) => (answered ? undefined : reject(error)));
    (async () => {
      for (let at = 0; at < body.length && !answered; at += CHUNK) {
        req.write(body.subarray(at, at + CHUNK));
        written += Math.min(CHUNK, body.length - at);
        await sleep(2);
      }
      if (!answered) req.end();
    })().catch(reject);
  });
}

function bigBody(bytes: number): Uint8Array {
  const filler = randomBytes(bytes / 2).toString("hex");
  return new TextEncoder().encode(JSON.stringify({ id: "evt_big", type: "thing.happened", filler }));
}

function receivers(maxBodyBytes: number, handled: string[]) {
  const make = (streamVerify: boolean) =>
    createReceiver({
      scheme: schemes.standardWebhooks({ secret: SECRET }),
      maxBodyBytes,
      streamVerify,
    }).onAny((event) => void handled.push(event.id));
  return { streaming: make(true), buffered: make(false) };
}

describe("streaming verification over node:http", () => {
  it("verifies a 1 MiB body sent in 32 KiB chunks with pauses, declared or chunked, as the buffered receiver does", async () => {
    const handled: string[] = [];
    const { streaming, buffered } = receivers(4 << 20, handled);
    const body = bigBody(1 << 20);
    for (const declared of [true, false]) {
      for (const receiver of [streaming, buffered]) {
        const { url } = await serve(receiver);
        const id = `msg_${declared}_${receiver === streaming}`;
        const headers = (await receiver.scheme.sign!({ rawBody: body, id })) as Record<string, string>;
        const answer = await send(url, headers, body, declared);
        expect(answer.status, `declared ${declared}`).toBe(200);
        expect(JSON.parse(answer.body)).toEqual({ status: "handled", id });
      }
    }
    expect(handled).toHaveLength(4);
  });

  it("refuses a tampered last chunk with signature_mismatch, the buffered receiver's code", async () => {
    const handled: string[] = [];
    const { streaming, buffered } = receivers(4 << 20, handled);
    const body = bigBody(1 << 20);
    const headers = (await streaming.scheme.sign!({ rawBody: body, id: "msg_t" })) as Record<string, string>;
    const tampered = body.slice();
    tampered[tampered.length - 3] = tampered[tampered.length - 3]! ^ 1;
    for (const declared of [true, false]) {
      const answers = [];
      for (const receiver of [streaming, buffered]) {
        const { url } = await serve(receiver);
        const answer = await send(url, headers, tampered, declared);
        answers.push({ status: answer.status, code: JSON.parse(answer.body).error.code });
      }
      expect(answers).toEqual([
        { status: 401, code: "signature_mismatch" },
        { status: 401, code: "signature_mismatch" },
      ]);
    }
    expect(handled).toEqual([]);
  });

  it("refuses a chunked body at maxBodyBytes (413) without reading further, streaming or not", async () => {
    const handled: string[] = [];
    const maxBodyBytes = 256 * 1024;
    const { streaming, buffered } = receivers(maxBodyBytes, handled);
    const body = bigBody(4 << 20);
    const headers = (await streaming.scheme.sign!({ rawBody: body, id: "msg_big" })) as Record<
      string,
      string
    >;
    for (const receiver of [streaming, buffered]) {
      const { url, pulled } = await serve(receiver);
      const answer = await send(url, headers, body, false);
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body).error.code).toBe("body_too_large");
      // The answer came while the sender was still sending, and the reader stopped at the chunk
      // that passed the limit (a socket read can join a few of the sender's chunks).
      expect(answer.written).toBeLessThan(body.length / 2);
      expect(pulled[0]).toBeGreaterThan(maxBodyBytes);
      expect(pulled[0]).toBeLessThanOrEqual(maxBodyBytes + 4 * 65_536);
    }
    expect(handled).toEqual([]);
  });

  it("keeps today's order of refusals: a missing signature is refused after the body, an oversized one with 413 first", async () => {
    const handled: string[] = [];
    const { streaming, buffered } = receivers(256 * 1024, handled);
    for (const receiver of [streaming, buffered]) {
      const { url } = await serve(receiver);
      const unsigned = { "content-type": "application/json" };
      const small = await send(url, unsigned, bigBody(128 * 1024), false);
      expect([small.status, JSON.parse(small.body).error.code]).toEqual([400, "missing_signature"]);
      const large = await send(url, unsigned, bigBody(1 << 20), false);
      expect([large.status, JSON.parse(large.body).error.code]).toEqual([413, "body_too_large"]);
    }
  });
});

describe("streaming verification through receiver.fetch and the option", () => {
  it("verifies a Web stream body fed in chunks, and refuses it tampered, as the buffered receiver does", async () => {
    const handled: string[] = [];
    const { streaming, buffered } = receivers(4 << 20, handled);
    const body = bigBody(512 * 1024);
    const headers = (await streaming.scheme.sign!({ rawBody: body, id: "msg_fetch" })) as Record<
      string,
      string
    >;
    const tampered = body.slice();
    tampered[tampered.length - 2] = tampered[tampered.length - 2]! ^ 1;
    const post = (receiver: Receiver, bytes: Uint8Array) => {
      const stream = new ReadableStream<Uint8Array>({
        async start(controller) {
          for (let at = 0; at < bytes.length; at += CHUNK) {
            controller.enqueue(bytes.slice(at, at + CHUNK));
            await sleep(1);
          }
          controller.close();
        },
      });
      const init = { method: "POST", headers, body: stream, duplex: "half" } as RequestInit;
      return receiver.fetch(new Request("https://hooks.example.com/in", init));
    };
    const answers = [];
    for (const receiver of [streaming, buffered]) {
      for (const bytes of [tampered, body]) {
        const response = await post(receiver, bytes);
        answers.push([response.status, (await response.json()) as unknown]);
      }
    }
    const mismatch = [401, { error: expect.objectContaining({ code: "signature_mismatch" }) }];
    expect(answers).toEqual([
      mismatch,
      [200, { status: "handled", id: "msg_fetch" }],
      mismatch,
      [200, { status: "handled", id: "msg_fetch" }],
    ]);
    // Two receivers, each with its own store: each handles the genuine delivery once.
    expect(handled).toEqual(["msg_fetch", "msg_fetch"]);
  });

  it("refuses a streamVerify that is not a boolean", () => {
    const scheme = schemes.standardWebhooks({ secret: SECRET });
    expect(() => createReceiver({ scheme, streamVerify: "no" as unknown as boolean })).toThrow(
      expect.objectContaining({ code: "invalid_option", message: expect.stringContaining("streamVerify") }),
    );
  });
});
