import { describe, expect, it } from "vitest";
import { handleNodeRequest, type NodeRequestLike, writeNodeResponse } from "./node-handler.js";
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
    const result = answer(202, '{"status":"queued","id":"é😀"}');
    writeNodeResponse(res, result);
    expect(written.status).toBe(202);
    expect(written.headers).toEqual({
      "content-type": "application/json; charset=utf-8",
      "content-length": String(Buffer.byteLength(result.body)),
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
