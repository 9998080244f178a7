import { describe, expect, it } from "vitest";
import { writeNodeResponse } from "./node-handler.js";
import type { HandleResult } from "./receiver/types.js";

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
