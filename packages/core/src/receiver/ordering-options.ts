import { WebhookError } from "../errors.js";
import { checkOption } from "../internal/check-option.js";
import { parseTimestamp } from "../scheme/timestamps.js";
import { getPath } from "../scheme/value-sources.js";
import type { IdempotencyStore } from "../store.js";
import type { Scheme, SchemeFacts, WebhookEvent } from "../types.js";
import type { OrderingOptions } from "./types.js";

/** A receiver's `ordering`, checked at creation (see `ordering.ts` for what it does). */
export interface OrderingSettings {
  key: (event: WebhookEvent) => string | undefined;
  at: (event: WebhookEvent) => number | Date | undefined;
  ttlMs: number;
}

function invalid(message: string): WebhookError {
  return new WebhookError("invalid_option", `hookgate: createReceiver option ordering ${message}`);
}

/** The event time a scheme's facts point to, or `undefined` where the payload has none. */
function factTime(fact: NonNullable<SchemeFacts["eventTime"]>) {
  return (event: WebhookEvent): number | undefined => {
    const value = getPath(event.payload, fact.payload);
    if (typeof value !== "string" && typeof value !== "number") return undefined;
    try {
      return parseTimestamp(String(value), fact.unit, `payload ${fact.payload}`);
    } catch {
      return undefined;
    }
  };
}

/** Checks the `ordering` option against the scheme and the store; `undefined` when it is off. */
export function resolveOrdering(
  option: OrderingOptions | undefined,
  scheme: Scheme,
  store: IdempotencyStore,
  ttlMs: number,
): OrderingSettings | undefined {
  if (option === undefined) return undefined;
  checkOption.object("createReceiver ordering", option, true);
  const key = checkOption.callback("createReceiver option ordering.key", option.key);
  if (!key) throw invalid("needs key: (event) => the id of the resource the event changes");
  const fact = scheme.facts.eventTime;
  const at = checkOption.callback("createReceiver option ordering.at", option.at) ?? (fact && factTime(fact));
  if (!at) {
    throw invalid(
      `needs at: (event) => when the event happened; the ${scheme.name} scheme signs no event time of its own (its timestamp, if any, is the delivery attempt's, renewed on each retry)`,
    );
  }
  if (typeof store.watermark !== "function" || typeof store.advance !== "function") {
    const name = (store as { constructor?: { name?: string } }).constructor?.name;
    throw invalid(
      `needs a store with watermark() and advance(); the store given (${name && name !== "Object" ? name : "a custom store"}) has none: use memoryStore, redisStore, postgresStore or sqliteStore, or add them`,
    );
  }
  return Object.freeze({
    key,
    at,
    ttlMs: checkOption.whole("createReceiver option ordering.ttlMs", option.ttlMs, ttlMs),
  });
}
