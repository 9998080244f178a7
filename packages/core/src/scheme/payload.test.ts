import { describe, expect, it } from "vitest";
import { isWebhookError } from "../errors.js";
import {
  formFields,
  looksLikeJson,
  MAX_FORM_FIELDS,
  parseForm,
  parsePayload,
  signedFormat,
} from "./payload.js";

const JSON_TYPE = "application/json";
const FORM = "application/x-www-form-urlencoded";
const enc = new TextEncoder();

/**
 * How many array elements `work` walks through the array iterator — what copying an array by
 * spreading it costs, so a copy per repeated field shows up as a count, not as noisy timing.
 */
function elementsWalked(work: () => void): number {
  const original = Array.prototype[Symbol.iterator];
  let walked = 0;
  Array.prototype[Symbol.iterator] = function (this: unknown[]) {
    const inner = original.call(this);
    return {
      next: () => {
        walked++;
        return inner.next();
      },
      [Symbol.iterator]() {
        return this;
      },
    } as ArrayIterator<unknown>;
  };
  try {
    work();
  } finally {
    Array.prototype[Symbol.iterator] = original;
  }
  return walked;
}

describe("form parsing is linear and bounded", () => {
  it("issue 18 hole 2: parsing repeated fields grows linearly (4× the fields, far less than 16× the work)", () => {
    const form = (n: number) => "a=1&".repeat(n);
    const parse = (n: number) => () => void parseForm(form(n), Number.POSITIVE_INFINITY);
    // Linear is 4×; copying the array per repeat made it 16×.
    expect(elementsWalked(parse(4_000)) / elementsWalked(parse(1_000))).toBeLessThan(5);
    // And at scale, counted rather than timed: 100× the fields, 100× the work (the quadratic
    // parse took minutes here).
    let fields: unknown;
    const walked = elementsWalked(() => {
      fields = parseForm(form(100_000), Number.POSITIVE_INFINITY).a;
    });
    expect(fields).toHaveLength(100_000);
    expect(walked / elementsWalked(parse(1_000))).toBeLessThan(125);
  });

  it("issue 18 hole 2: a form with more than MAX_FORM_FIELDS fields is refused unread with invalid_payload", () => {
    const refused = () => parseForm("a=1&".repeat(MAX_FORM_FIELDS));
    expect(refused).toThrow(/hookgate: the form body has more than 1000 fields/);
    try {
      refused();
    } catch (error) {
      expect(isWebhookError(error) && error.code === "invalid_payload" && error.status === 400).toBe(true);
    }
    expect(
      Object.keys(parseForm(Array.from({ length: MAX_FORM_FIELDS }, (_, i) => `f${i}=1`).join("&"))),
    ).toHaveLength(MAX_FORM_FIELDS);
    expect(() => formFields("a&b&c", 2)).toThrow(/more than 2 fields/);
    expect([...formFields("a&b", 2)]).toEqual([
      ["a", ""],
      ["b", ""],
    ]);
  });

  it("keeps repeated fields as arrays, in order, on a null-prototype record", () => {
    const form = parseForm("a=1&b=2&a=3&a=4&__proto__=x");
    expect(form.a).toEqual(["1", "3", "4"]);
    expect(form.b).toBe("2");
    expect(Object.getPrototypeOf(form)).toBeNull();
  });
});

describe("signedFormat: the body format comes from the signed bytes and the scheme", () => {
  it("a JSON object or array is JSON for a scheme that takes both; anything else is a form", () => {
    const both = [JSON_TYPE, FORM];
    for (const body of ['{"a":1}', "  \n[1]", '\ufeff{"a":1}', '\t{"payload":"x&payload=y"}'])
      expect(signedFormat(body, both)).toBe(JSON_TYPE);
    for (const body of ["payload=%7B%7D", "a=1", "", "token=x&command=%2Fdeploy", '"{"', "null"])
      expect(signedFormat(body, both)).toBe(FORM);
    expect(signedFormat(enc.encode('\ufeff {"a":1}'), both)).toBe(JSON_TYPE);
    expect(signedFormat(enc.encode("a=%7B"), both)).toBe(FORM);
  });

  it("a scheme that takes one format reads every body in it", () => {
    expect(signedFormat("a=1", [JSON_TYPE])).toBe(JSON_TYPE);
    expect(signedFormat('{"a":1}', [FORM])).toBe(FORM);
  });

  it("looksLikeJson skips only a byte order mark and JSON whitespace", () => {
    expect(looksLikeJson(" \r\n\t{")).toBe(true);
    expect(looksLikeJson("\u00a0{")).toBe(false);
    expect(looksLikeJson(enc.encode("\ufeff["))).toBe(true);
    expect(looksLikeJson(new Uint8Array())).toBe(false);
  });

  it("issue 18 hole 3: parsePayload reads a JSON body as JSON even under a form Content-Type", () => {
    const body = JSON.stringify({
      type: "event_callback",
      text: `x&payload=${encodeURIComponent('{"a":1}')}`,
    });
    expect(parsePayload(body, FORM)).toEqual(JSON.parse(body));
    expect(parsePayload("a=1&b=2", `${FORM}; charset=utf-8`)).toEqual({ a: "1", b: "2" });
    expect(() => parsePayload("a=1", JSON_TYPE)).toThrow(/not valid JSON/);
  });
});
