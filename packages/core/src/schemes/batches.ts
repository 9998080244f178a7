import { extend } from "../internal/extend.js";
import type { Delivery } from "../types.js";

/** How one batch of events splits into deliveries. */
export interface BatchShape {
  /** The events of a verified payload (`[]` when it carries none). */
  events: (payload: unknown) => readonly unknown[];
  /** One event's id: its own idempotency key. */
  id: (event: Record<string, unknown>) => unknown;
  /** One event's type. */
  type: (event: Record<string, unknown>) => unknown;
}

const text = (value: unknown): string | undefined =>
  typeof value === "string" && value !== "" ? value : typeof value === "number" ? String(value) : undefined;

/**
 * Splits one verified batch into one delivery per event, each keyed by its own id (the signature
 * covers the whole body, so every event's id is signed). An event without an id is keyed by the
 * batch's id and its position.
 */
export function splitBatch(shape: BatchShape): (delivery: Delivery) => Delivery[] {
  return (delivery) =>
    shape.events(delivery.payload).map((item, index): Delivery => {
      const event = (typeof item === "object" && item !== null ? item : {}) as Record<string, unknown>;
      // A plain copy: what verified the batch (whose secrets name each event's tenant) is the
      // request's proof, which the receiver carries beside every event of it.
      return extend(delivery, {
        id: text(shape.id(event)) ?? `${delivery.id}:${index}`,
        type: text(shape.type(event)) ?? "",
        payload: item,
      });
    });
}

/** The array at `key` of an object payload, or the payload itself when it is an array. */
export function eventsAt(key?: string): (payload: unknown) => readonly unknown[] {
  return (payload) => {
    const list = key === undefined ? payload : (payload as Record<string, unknown> | null)?.[key];
    return Array.isArray(list) ? list : [];
  };
}
