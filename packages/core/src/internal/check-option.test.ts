import { describe, expect, it } from "vitest";
import { checkOption } from "./check-option.js";

const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error("expected a refusal");
};

describe("checkOption", () => {
  it("returns the value, or the fallback when it is undefined", () => {
    expect(checkOption.whole("x", 3, 1)).toBe(3);
    expect(checkOption.whole("x", undefined, 7)).toBe(7);
    expect(checkOption.number("x", 0.5, 1, { min: 0, above: true })).toBe(0.5);
    expect(checkOption.number("x", Number.POSITIVE_INFINITY, 1, { infinite: true })).toBe(
      Number.POSITIVE_INFINITY,
    );
    expect(checkOption.oneOf("x", "b", ["a", "b"], "a")).toBe("b");
    expect(checkOption.boolean("x", false, true)).toBe(false);
    expect(checkOption.date("x", new Date(0))).toEqual(new Date(0));
    expect(checkOption.callback("x", undefined)).toBeUndefined();
  });

  it("refuses NaN, negatives, fractions, Infinity and unknown values, naming the option and the value", () => {
    for (const [run, shown] of [
      [() => checkOption.whole("q option concurrency", Number.NaN, 1), "got NaN"],
      [() => checkOption.whole("q option concurrency", -1, 1), "got -1"],
      [() => checkOption.whole("q option concurrency", 1.5, 1), "got 1.5"],
      [() => checkOption.whole("q option concurrency", "4", 1), 'got "4"'],
      [() => checkOption.number("q option concurrency", Number.POSITIVE_INFINITY, 1), "got Infinity"],
      [() => checkOption.oneOf("q option concurrency", "c", ["a", "b"], "a"), 'one of "a", "b", got "c"'],
      [() => checkOption.boolean("q option concurrency", "false", true), 'got "false"'],
      [() => checkOption.date("q option concurrency", new Date(Number.NaN)), "got Date(invalid)"],
      [() => checkOption.callback("q option concurrency", 5 as never), "got 5"],
    ] as const) {
      const error = refusal(run);
      expect(error.code).toBe("invalid_option");
      expect(error.message).toMatch(/^hookgate: q option concurrency must be /);
      expect(error.message).toContain(shown);
    }
  });

  it("never prints a function's source or a long value whole", () => {
    expect(refusal(() => checkOption.whole("x", () => "secret", 1)).message).toContain("got a function");
    expect(refusal(() => checkOption.whole("x", "y".repeat(500), 1)).message.length).toBeLessThan(200);
  });
});
