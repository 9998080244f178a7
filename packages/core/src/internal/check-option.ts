import { WebhookError } from "../errors.js";

/** A value as an error message shows it: short, and never a function's source. */
function show(value: unknown): string {
  if (typeof value === "function") return "a function";
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value !== "object" || value === null) return String(value);
  if (value instanceof Date)
    return `Date(${Number.isNaN(value.getTime()) ? "invalid" : value.toISOString()})`;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  text ??= Object.prototype.toString.call(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/** A bound on a number: `min` (inclusive unless `above`), and whether `Infinity` is accepted. */
interface NumberBounds {
  /** @default 0 */
  min?: number;
  /** Refuse `min` itself (a positive number when `min` is 0). @default false */
  above?: boolean;
  /** Accept `Infinity` (no limit). @default false */
  infinite?: boolean;
}

/** The `invalid_option` error for `option` (named with its entry point: "memoryQueue option concurrency"). */
function fail(option: string, value: unknown, expected: string): WebhookError {
  return new WebhookError("invalid_option", `hookgate: ${option} must be ${expected}, got ${show(value)}`);
}

/**
 * The option checks every public entry point shares (`createReceiver`, `verify`, stores, journals,
 * queues, workers): each returns the value, or `fallback` when it is `undefined`, and throws
 * `invalid_option` naming the option and the value otherwise. NaN, negatives, fractions where a
 * whole number is needed, and values outside an enumeration never pass — an unset environment
 * variable (`Number(undefined)` is NaN) cannot silently turn a limit off.
 *
 * For authors of stores, journals, queues and workers; applications do not need it.
 *
 * @example
 * const concurrency = checkOption.whole("myQueue option concurrency", options.concurrency, 4, 1);
 */
export const checkOption = {
  fail,

  /** The options argument itself: an object (or `undefined` when every option is optional). */
  object<T extends object>(entry: string, value: T | undefined, required = false): T | undefined {
    if (value === undefined && !required) return undefined;
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw fail(`${entry} options`, value, "an object");
    }
    return value;
  },

  /** A whole number of at least `min` (a count, a size, a number of ms or seconds). */
  whole(option: string, value: unknown, fallback: number, min = 1): number {
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
      throw fail(option, value, `a whole number of at least ${min}`);
    }
    return value;
  },

  /** A number within `bounds`; never NaN, and `Infinity` only when `bounds.infinite`. */
  number(option: string, value: unknown, fallback: number, bounds: NumberBounds = {}): number {
    if (value === undefined) return fallback;
    const { min = 0, above = false, infinite = false } = bounds;
    const ok =
      typeof value === "number" &&
      (Number.isFinite(value) || (infinite && value === Number.POSITIVE_INFINITY)) &&
      (above ? value > min : value >= min);
    if (!ok) {
      const range = above
        ? min === 0
          ? "a positive number"
          : `a number above ${min}`
        : `a number of at least ${min}`;
      throw fail(option, value, infinite ? `${range}, or Infinity` : range);
    }
    return value;
  },

  /** One of `allowed`, compared with `===`. */
  oneOf<const T>(option: string, value: unknown, allowed: readonly T[], fallback: T): T {
    if (value === undefined) return fallback;
    if (!allowed.includes(value as T)) {
      throw fail(option, value, `one of ${allowed.map((a) => show(a)).join(", ")}`);
    }
    return value as T;
  },

  /** `true` or `false`. */
  boolean(option: string, value: unknown, fallback: boolean): boolean {
    if (value === undefined) return fallback;
    if (typeof value !== "boolean") throw fail(option, value, "true or false");
    return value;
  },

  /** A non-empty string. */
  string(option: string, value: unknown, fallback: string, allowEmpty = false): string {
    if (value === undefined) return fallback;
    if (typeof value !== "string" || (!allowEmpty && value === "")) {
      throw fail(option, value, allowEmpty ? "a string" : "a non-empty string");
    }
    return value;
  },

  /**
   * A table name safe to splice into SQLite SQL (SQLite files and D1 share the tables): letters,
   * digits and underscores, not starting with a digit, at most 63 characters.
   */
  tableName(option: string, value: unknown): string {
    if (typeof value !== "string" || !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(value)) {
      throw new WebhookError(
        "invalid_option",
        `hookgate: ${option} must be letters, digits and underscores, got ${JSON.stringify(value)}`,
      );
    }
    return value;
  },

  /** A function (a callback or a clock); `undefined` when not given. */
  callback<F extends (...args: never[]) => unknown>(option: string, value: F | undefined): F | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== "function") throw fail(option, value, "a function");
    return value;
  },

  /** A valid `Date` (not `new Date(NaN)`); `undefined` when not given. */
  date(option: string, value: unknown): Date | undefined {
    if (value === undefined) return undefined;
    if (!isValidDate(value)) throw fail(option, value, "a valid Date");
    return value;
  },
};

/** What {@link checkOption.date} accepts: a `Date` (from any realm) holding a time, not `new Date(NaN)`. */
export function isValidDate(value: unknown): value is Date {
  return (
    Object.prototype.toString.call(value) === "[object Date]" && !Number.isNaN((value as Date).getTime())
  );
}
