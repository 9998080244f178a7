import type { WebhookEvent } from "../types.js";
import { accepted } from "./answers.js";
import { keyHead } from "./claim.js";
import type { Handlers } from "./handlers.js";
import type { Intake } from "./intake.js";
import { journalUpdate } from "./journal.js";
import { completeLease, storeCall } from "./lease.js";
import type { Settings } from "./options.js";
import type { OrderingSettings } from "./ordering-options.js";
import type { HandleResult } from "./types.js";

/*
 * The ordering guard: events of one resource are applied in the order they happened. Before the
 * handlers run, an event older than its resource's watermark (the time of the newest event applied
 * to it) is stale: acknowledged, not run. After they succeed, the watermark moves to the event's
 * time — never back, in one atomic store call. Inline, it is judged after the claim; with a queue,
 * in the worker (`dispatch`), when the work is applied.
 */

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
export async function judgeOrder(settings: Settings, intake: Intake): Promise<OrderMark | undefined> {
  const { ordering, store } = settings;
  if (!ordering) return undefined;
  const { event, tenant } = intake;
  const resource = ordering.key(event);
  const at = timeOf(ordering, event);
  if (typeof resource !== "string" || at === undefined) return undefined;
  const key = `order:${keyHead(settings, event.scheme, tenant)}${encodeURIComponent(resource)}`;
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
  intake: Intake,
  mark: OrderMark,
): Promise<HandleResult> {
  const { event } = intake;
  const lease = intake.lease!;
  await recordStale(settings, handlers, event, { id: event.id, key: lease.key }, mark);
  await completeLease(settings, lease, event, (error) => handlers.report(error, { delivery: event }));
  return accepted("stale", 200, event.id);
}

/** A queue or replay job key marks a replay, which runs whatever the watermark says. */
export function isReplayKey(key: string): boolean {
  return /#replay:[^#]*$/.test(key);
}
