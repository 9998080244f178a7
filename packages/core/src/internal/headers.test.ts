import { describe, expect, it } from "vitest";
import { forEachHeader, getHeader, headerEntries } from "./headers.js";

const visited = (headers: Parameters<typeof forEachHeader>[0]) => {
  const out: Array<[string, string]> = [];
  forEachHeader(headers, (name, value) => out.push([name, value]));
  return out;
};

describe("forEachHeader", () => {
  it("visits a plain record's own headers (Node's `req.headers` is a plain object), joining repeated values", () => {
    const record: Record<string, string | string[] | undefined> = {
      "content-type": "application/json",
      "x-many": ["a", "b"],
      "x-absent": undefined,
    };
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
    expect(visited(record)).toEqual([
      ["content-type", "application/json"],
      ["x-many", "a, b"],
    ]);
  });

  it("skips a name an attacker made enumerable on Object.prototype: it is no header of the request", () => {
    const record = { "webhook-id": "msg_1" };
    const proto = Object.prototype as Record<string, unknown>;
    proto["x-polluted"] = "injected";
    try {
      expect(visited(record)).toEqual([["webhook-id", "msg_1"]]);
      expect(headerEntries(record)).toEqual([["webhook-id", "msg_1"]]);
      // A prototype-less record inherits nothing, polluted prototype or not.
      expect(visited(Object.assign(Object.create(null), record))).toEqual([["webhook-id", "msg_1"]]);
    } finally {
      delete proto["x-polluted"];
    }
    expect(visited(record)).toEqual([["webhook-id", "msg_1"]]);
  });

  it("skips the enumerable names a record inherits from a prototype of its own", () => {
    const base = { "x-inherited": "no" };
    const record = Object.assign(Object.create(base), { "x-own": "yes" });
    expect(visited(record)).toEqual([["x-own", "yes"]]);
  });

  it("visits a prototype-less record and a Web Headers alike", () => {
    const record = Object.assign(Object.create(null), { a: "1", b: "2" });
    expect(visited(record)).toEqual([
      ["a", "1"],
      ["b", "2"],
    ]);
    expect(visited(new Headers({ A: "1", b: "2" }))).toEqual([
      ["a", "1"],
      ["b", "2"],
    ]);
    expect(getHeader(record, "b")).toBe("2");
  });
});
