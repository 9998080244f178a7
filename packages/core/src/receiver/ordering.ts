import { WebhookError } from "../errors.js";
import { checkOption } from "../internal/check-option.js";
import { parseTimestamp } from "../scheme/timestamps.js";
import { getPath } from "../scheme/value-sources.js";
import type { IdempotencyStore } from "../store.js";
import type { Scheme, SchemeFacts, WebhookEvent } from "../types.js";
import { accepted } from "./answers.js";
import { keyPrefix } from "./claim.js";
import type { Handlers } from "./handlers.js";
import { journalUpdate } from "./journal.js";
import { completeLease, type Lease, storeCall } from "./lease.js";
import type { Settings } from "./options.js";
import type { HandleResult, OrderingOptions } from "./types.js";

/**
 * The ordering guard: events of one resource are applied in the order they happened. Before the
 * handlers run, an event older than its resource's watermark (the time of the newest event applied
 * to it) is stale: acknowledged, not run. After they succeed, the watermark moves to the event's
 * time — never back, in one atomic store call. Inline, it is judged after the claim; with a queue,
 * in the worker (`dispatch`), when the work is applied.
 */
export interface OrderingSettings {
  key: (event: WebhookEvent) => string | undefined;
  at: (event: WebhookEvent) => number | Date | undefined;
  ttlMs: number;
}

/** Where one event stands against its resource's watermark. */
export interface OrderMark {
  /** The watermark's store key: namespace, scheme, tenant and resource, like a delivery key. */
  key: string;
  resource: string;
  /** The event's time, ms since the epoch. */
  at: number;
  /** The resource's watermark when judged; `undefined` when it had none. */
  watermark: number | undefined;
  /** Older than the watermark: not to be run. */
  stale: boolean;
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

function timeOf(ordering: OrderingSettings, event: WebhookEvent): number | undefined {
  const value = ordering.at(event);
  const ms = value instanceof Date ? value.getTime() : value;
  // Stores keep whole milliseconds.
  return typeof ms === "number" && Number.isFinite(ms) ? Math.floor(ms) : undefined;
}

/**
 * Reads the watermark of the event's resource: `undefined` when the receiver has no `ordering`,
 * or the event names no resource or time (it runs unordered).
 */
export async function judgeOrder(
  settings: Settings,
  event: WebhookEvent,
  tenant: string,
): Promise<OrderMark | undefined> {
  const { ordering, store } = settings;
  if (!ordering) return undefined;
  const resource = ordering.key(event);
  const at = timeOf(ordering, event);
  if (typeof resource !== "string" || at === undefined) return undefined;
  const key = `order:${keyPrefix(settings, event.scheme, tenant)}:${encodeURIComponent(resource)}`;
  const watermark = await storeCall(settings, () => store.watermark!(key));
  return { key, resource, at, watermark, stale: watermark !== undefined && at < watermark };
}

/**
 * After the handlers succeeded: moves the watermark to the event's time (a newer one applied
 * meanwhile stays). The event is handled whatever happens here, so a failure is reported, not thrown.
 */
export async function advanceOrder(
  settings: Settings,
  mark: OrderMark | undefined,
  report: (error: unknown) => void,
): Promise<void> {
  if (!mark) return;
  const { ordering, store } = settings;
  try {
    await storeCall(settings, () => store.advance!(mark.key, mark.at, { ttlMs: ordering!.ttlMs }));
  } catch (error) {
    report(error);
  }
}

/** Tells `observe` and the journal that an event was stale. */
export async function recordStale(
  settings: Settings,
  handlers: Handlers,
  event: WebhookEvent,
  row: { id: string; key: string },
  mark: OrderMark,
): Promise<void> {
  handlers.emit({
    kind: "stale",
    id: event.id,
    type: event.type,
    resource: mark.resource,
    at: new Date(mark.at),
    watermark: new Date(mark.watermark!),
  });
  await journalUpdate(settings, row, { status: "stale", at: settings.now() });
}

/** A stale event received inline: recorded, its key completed (a retry is a duplicate), 200 `stale`. */
export async function answerStale(
  settings: Settings,
  handlers: Handlers,
  event: WebhookEvent,
  lease: Lease,
  mark: OrderMark,
): Promise<HandleResult> {
  await recordStale(settings, handlers, event, { id: event.id, key: lease.key }, mark);
  await completeLease(settings, lease, event, (error) => handlers.report(error, { delivery: event }));
  return accepted("stale", 200, event.id);
}

/** A queue or replay job key marks a replay, which runs whatever the watermark says. */
export function isReplayKey(key: string): boolean {
  return /#replay:[^#]*$/.test(key);
}
