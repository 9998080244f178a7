import { createServer, request as httpRequest, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import type { DeclaredBodyReader } from "./internal/read-body.js";
import {
  handleNodeRequest,
  type NodeRequestLike,
  unreadNodeBody,
  writeNodeResponse,
} from "./node-handler.js";
import type { HandleInput, HandleResult } from "./receiver/types.js";

/** A response that records what the bridge wrote. */
function recorder() {
  const written: { status?: number; headers?: Record<string, string>; body?: string | undefined } = {};
  return {
    written,
    res: {
      statusCode: 200,
      setHeader() {},
      writeHead(status: number, headers: Record<string, string>) {
        written.status = status;
        written.headers = headers;
      },
      end(body?: string) {
        written.body = body;
      },
    },
  };
}

const answer = (status: number, body: string, headers: Record<string, string> = {}): HandleResult => ({
  status,
  headers: { "content-type": "application/json; charset=utf-8", ...headers },
  body,
  outcome: "handled",
});

describe("writeNodeResponse", () => {
  it("frames the answer by its UTF-8 length (not chunked), without changing the result's headers", () => {
    const { res, written } = recorder();
    // A lone surrogate (a `respond` handler's text may hold one) is written as U+FFFD, three bytes.
    const result = answer(202, '{"status":"queued","id":"é😀","note":"\ud800"}');
    writeNodeResponse(res, result);
    expect(written.status).toBe(202);
    expect(written.headers).toEqual({
      "content-type": "application/json; charset=utf-8",
      "content-length": String(new TextEncoder().encode(result.body).length),
    });
    expect(written.body).toBe(result.body);
    expect(result.headers).not.toHaveProperty("content-length");
  });

  it("leaves framing to Node for a bodiless status or an answer that says how it is framed", () => {
    for (const [status, headers] of [
      [204, {}],
      [304, {}],
      [200, { "Content-Length": "2" }],
      [200, { "transfer-encoding": "chunked" }],
    ] as const) {
      const { res, written } = recorder();
      writeNodeResponse(res, answer(status, "{}", headers));
      expect(Object.keys(written.headers!).filter((name) => name === "content-length")).toEqual([]);
    }
  });
});

describe("handleNodeRequest", () => {
  it("reads the adapter's client address only when asked, and hands over no Node object", async () => {
    let reads = 0;
    let seen: HandleInput | undefined;
    const receiver = {
      handle: async (input: HandleInput) => {
        seen = input;
        return answer(200, "{}");
      },
    };
    const req = {
      method: "POST",
      url: "/hooks?x=1",
      headers: { host: "example.test", "content-length": "2" },
      socket: { remoteAddress: "10.0.0.9" },
      on() {},
      async *[Symbol.asyncIterator]() {},
    } as unknown as NodeRequestLike;
    const options = {
      params: { tenant: "t1" },
      get ip() {
        reads++;
        return "203.0.113.7";
      },
    };
    await handleNodeRequest(receiver, req, options);
    expect(reads).toBe(0);
    expect(seen!.url).toBe("http://example.test/hooks?x=1");
    expect(seen!.params).toEqual({ tenant: "t1" });
    expect(seen!.ip).toBe("203.0.113.7");
    expect(reads).toBe(1);
    expect(Object.keys(seen!)).not.toContain("req");
    expect(JSON.parse(JSON.stringify({ ...seen, rawBody: undefined })).headers.host).toBe("example.test");
    await handleNodeRequest(receiver, req);
    expect(seen!.ip).toBe("10.0.0.9");
  });
});

describe("unreadNodeBody", () => {
  /** Posts `body` (chunked when `declare` is false) to a node:http server; `inspect` sees the request. */
  async function post(body: string, declare: boolean, inspect: (req: IncomingMessage) => Promise<string>) {
    const server = createServer((req, res) => {
      inspect(req).then(
        (seen) => res.end(seen),
        (error: Error) => res.end(`error: ${error.message}`),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      return await new Promise<string>((resolve, reject) => {
        const { port } = server.address() as AddressInfo;
        const headers = declare ? { "content-length": String(Buffer.byteLength(body)) } : {};
        const request = httpRequest({ port, host: "127.0.0.1", method: "POST", headers }, (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => (text += chunk));
          res.on("end", () => resolve(text));
        });
        request.on("error", reject);
        // A write before `end` makes Node send the body chunked, with no length declared.
        if (declare) request.end(body);
        else request.write(body, () => request.end());
      });
    } finally {
      server.close();
    }
  }

  it("reads an untouched request with a declared length to its last byte, before Node's `end`", async () => {
    const seen = await post("héllo 🎉", true, async (req) => {
      const body = unreadNodeBody(req);
      expect(typeof body).toBe("function");
      const bytes = await (body as DeclaredBodyReader)();
      return `${Buffer.from(bytes as Uint8Array).toString("utf8")} ended=${req.readableEnded}`;
    });
    expect(seen).toBe("héllo 🎉 ended=false");
  });

  it("gives the request itself, as a stream, when no length is declared", async () => {
    const seen = await post("chunked", false, async (req) => {
      expect(unreadNodeBody(req)).toBe(req);
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    });
    expect(seen).toBe("chunked");
  });

  it("leaves a request alone once something reads it or sets it flowing", async () => {
    const seen = await post("{}", true, async (req) => {
      req.on("data", () => {});
      return String(unreadNodeBody(req));
    });
    expect(seen).toBe("undefined");
    const paused = await post("{}", true, async (req) => {
      req.pause();
      const kept = unreadNodeBody(req);
      req.resume();
      return String(kept);
    });
    expect(paused).toBe("undefined");
    expect(unreadNodeBody({ headers: {} })).toBeUndefined();
  });
});
