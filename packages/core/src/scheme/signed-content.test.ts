import { describe, expect, it } from "vitest";
import type { ContentContext } from "./definition.js";
import { compileTemplate } from "./signed-content.js";

const body = new TextEncoder().encode('{"a":1}');
const context: ContentContext = {
  id: "msg_1",
  timestamp: "1700000000",
  body,
  url: "https://example.com/hook",
  method: "POST",
  contentType: "application/json",
  signing: false,
  fields: { token: "tok" },
};

/** The signed bytes as one string: what the chunks hash to, in order. */
const signed = (template: string) =>
  compileTemplate(template)(context).map((chunks) =>
    chunks.map((chunk) => (typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk))),
  );

describe("compileTemplate", () => {
  it("folds the text around each body into one chunk, and never copies the body", () => {
    expect(signed("{body}")).toEqual([['{"a":1}']]);
    expect(signed("{timestamp}.{body}")).toEqual([["1700000000.", '{"a":1}']]);
    expect(signed("{id}.{timestamp}.{body}.{url}")).toEqual([
      ["msg_1.1700000000.", '{"a":1}', ".https://example.com/hook"],
    ]);
    expect(signed("{body}{body}")).toEqual([['{"a":1}', '{"a":1}']]);
    expect(signed("{timestamp}{field:token}")).toEqual([["1700000000tok"]]);
    expect(signed("")).toEqual([[]]);
    expect(compileTemplate("{timestamp}.{body}")(context)[0]![1]).toBe(body);
  });

  it("refuses a request without a part the template signs", () => {
    expect(() => compileTemplate("{id}.{body}")({ ...context, id: undefined })).toThrow(
      expect.objectContaining({ code: "missing_header" }),
    );
    expect(() => compileTemplate("{body}.{field:nonce}")(context)).toThrow(
      expect.objectContaining({ code: "missing_signature" }),
    );
  });
});
