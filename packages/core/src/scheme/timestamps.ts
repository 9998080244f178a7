import { WebhookError } from "../errors.js";
import { checkOption, isValidDate } from "../internal/check-option.js";
import { getFirstHeader } from "../internal/headers.js";
import type { HeadersInput, VerifyOptions } from "../types.js";
import { displayHeader, splitList } from "./signature-headers.js";

/** The freshness window when none is given, in seconds. */
export const DEFAULT_TOLERANCE = 300;
const MAX_TIMESTAMP_DIGITS = 16;

/** Whether text is one or more ASCII digits (what `/^\d+$/` accepts), without a regular expression. */
function isDigits(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

/** A timestamp in the scheme's unit, as milliseconds since the epoch; refuses anything but digits. */
export function parseTimestamp(raw: string, unit: "s" | "ms" | "iso", where: string): number {
  if (unit === "iso") return parseIsoTimestamp(raw, where);
  if (raw.length > MAX_TIMESTAMP_DIGITS || !isDigits(raw)) {
    throw new WebhookError(
      "malformed_timestamp",
      `hookgate: ${where} must be a whole number of ${unit === "s" ? "seconds" : "milliseconds"} since the epoch`,
    );
  }
  const ms = unit === "s" ? Number(raw) * 1000 : Number(raw);
  if (!Number.isSafeInteger(ms) || ms > 8.64e15)
    throw new WebhookError("malformed_timestamp", `hookgate: ${where} is out of range`);
  return ms;
}

// RFC 3339 date-time: fractional seconds of any precision (Twitch sends nanoseconds), Z or an offset.
const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

function parseIsoTimestamp(raw: string, where: string): number {
  const match = RFC3339.exec(raw);
  // Date.parse takes at most milliseconds: cut longer fractions before parsing.
  const ms = match ? Date.parse(`${match[1]}${(match[2] ?? "").slice(0, 4)}${match[3]}`) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new WebhookError("malformed_timestamp", `hookgate: ${where} must be an RFC 3339 date-time`);
  }
  return ms;
}

/** A point in time in the scheme's unit, as the sender writes it. */
export function formatTimestamp(at: Date, unit: "s" | "ms" | "iso"): string {
  if (unit === "iso") return `${at.toISOString().slice(0, 19)}Z`;
  return String(unit === "s" ? Math.floor(at.getTime() / 1000) : at.getTime());
}

/**
 * Checks a `tolerance` option: a positive number of seconds, or `Infinity` to turn the check off.
 * `0` is refused: stripe-node reads it as "no check", others as "no skew at all"; say which.
 */
export function checkTolerance(tolerance: unknown, where = "tolerance"): number {
  if (tolerance === undefined) return DEFAULT_TOLERANCE;
  if (!isTolerance(tolerance)) {
    throw checkOption.fail(
      where,
      tolerance,
      "a positive number of seconds, or Infinity to turn the freshness check off;",
    );
  }
  return tolerance;
}

/** What {@link checkTolerance} accepts: a positive number of seconds, `Infinity` included. */
function isTolerance(value: unknown): value is number {
  return typeof value === "number" && !Number.isNaN(value) && value > 0;
}

/**
 * Checks {@link VerifyOptions} as `createReceiver` checks its own: `tolerance` as
 * {@link checkTolerance} does, `now` a valid Date. Throws `invalid_option` naming the option.
 */
export function checkVerifyOptions(options: VerifyOptions | undefined, where = "verify"): void {
  if (options === undefined) return;
  checkOption.object(where, options);
  const { tolerance, now } = options;
  // Every verify comes here: the option names are put together only for a refusal's message.
  if (tolerance !== undefined && !isTolerance(tolerance))
    checkTolerance(tolerance, `${where} option tolerance`);
  if (now !== undefined && !isValidDate(now)) checkOption.date(`${where} option now`, now);
}

/** Refuses a signed time further than `tolerance` seconds from `now`, either way. */
export function checkFreshness(ms: number, options: VerifyOptions | undefined): void {
  // Schemes with their own verify (a body-carried signature) reach here too: never judge
  // freshness with a NaN tolerance or an invalid clock, which would let anything through.
  checkVerifyOptions(options, "verify");
  const tolerance = options?.tolerance ?? DEFAULT_TOLERANCE;
  if (tolerance === Number.POSITIVE_INFINITY) return;
  const now = options?.now ? options.now.getTime() : Date.now();
  const skew = (now - ms) / 1000;
  if (skew > tolerance) {
    throw new WebhookError(
      "timestamp_too_old",
      `hookgate: the signed timestamp is ${Math.round(skew)}s old, beyond the ${tolerance}s tolerance; a replay, or a delivery held too long (check the server clock)`,
    );
  }
  if (-skew > tolerance) {
    throw new WebhookError(
      "timestamp_in_future",
      `hookgate: the signed timestamp is ${Math.round(-skew)}s in the future, beyond the ${tolerance}s tolerance (check the server clock)`,
    );
  }
}

/** The one timestamp in a timestamp header; refuses it absent, empty, or repeated with different values. */
export function readHeaderTimestamp(
  headers: HeadersInput,
  spec: { header: string; aliases?: readonly string[] },
): string {
  return compileHeaderTimestamp(spec)(headers);
}

/** {@link readHeaderTimestamp} for one spec, its header names listed once rather than per request. */
export function compileHeaderTimestamp(spec: {
  header: string;
  aliases?: readonly string[];
}): (headers: HeadersInput) => string {
  const names = spec.aliases ? [spec.header, ...spec.aliases] : [spec.header];
  return (headers) => {
    const value = getFirstHeader(headers, names);
    if (value === undefined) {
      throw new WebhookError(
        "missing_header",
        `hookgate: the ${displayHeader(spec.header)} header is missing`,
      );
    }
    // The common case, one value and nothing to trim, allocates nothing.
    if (value.length > 0 && !value.includes(",") && value.trim() === value) return value;
    const pieces = splitList(value, ",");
    if (pieces.length === 0) {
      throw new WebhookError(
        "malformed_timestamp",
        `hookgate: the ${displayHeader(spec.header)} header is empty`,
      );
    }
    const first = pieces[0]!;
    for (const piece of pieces) {
      if (piece !== first) {
        throw new WebhookError(
          "malformed_timestamp",
          `hookgate: the ${displayHeader(spec.header)} header was sent twice with different values`,
        );
      }
    }
    return first;
  };
}
