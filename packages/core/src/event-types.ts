import type { StandardSchemaV1 } from "./standard-schema.js";
import type { WebhookEvent } from "./types.js";

/** Event type → payload type. */
export type EventMap = Record<string, unknown>;
/** Event type → Standard Schema validator (zod, valibot, arktype…). */
export type SchemaMap = Record<string, StandardSchemaV1>;
/** The event map a schema map validates to. */
export type InferEvents<S extends SchemaMap> = { [K in keyof S]: StandardSchemaV1.InferOutput<S[K]> };

// These types run over maps of hundreds of events (Octokit's has ~330 names, Stripe's ~250) with
// payload types of thousands of properties each, so each one is written to do work per *matched*
// event only:
// - events are distributive conditionals over key unions (never mapped types over the whole map);
// - one event is an interface, `TypedEvent<E, K>`, whose payload `E[K]` is resolved on first use,
//   not when a union of events is formed (`onAny` forms one over every key);
// - `Receiver.on` wraps its handler in `NoInfer`, so inferring `N` never walks into these types.
// `pnpm bench types` measures them against Octokit's own `Webhooks` class.

/** Every dotted prefix of a name: `a`, `a.b` for `a.b.c`. */
export type Prefixes<K extends string> = K extends `${infer Head}.${infer Tail}`
  ? Tail extends `${string}.${string}`
    ? Head | `${Head}.${Prefixes<Tail>}`
    : Head // one dot (most names): no template to build
  : never;
type IsOpen<E> = string extends keyof E ? true : false;
type OpenPayload<E> = E extends { [type: string]: infer P } ? P : unknown;

/** Names a handler can be registered for: each event type, and each dotted prefix of one (`issues` for `issues.opened`). */
export type EventName<E extends object> =
  IsOpen<E> extends true ? string : (keyof E & string) | Prefixes<keyof E & string>;

/** The keys of a map a handler for `N` runs for: `N` itself and every key under `N.`. */
export type Matching<K, N extends string> = K & (N | `${N}.${string}`);

/**
 * One event of the map, typed by its key: a {@link WebhookEvent} whose `type` is `K` and `payload`
 * is `E[K]`. Its own members rather than `extends WebhookEvent<K, E[K]>`, so `E[K]` is resolved when
 * `payload` is read, not whenever the event's members are (`event.type` over a union of them).
 */
export interface TypedEvent<E, K extends keyof E & string> extends Omit<WebhookEvent, "type" | "payload"> {
  type: K;
  payload: E[K];
}

/** The union of the events of the map named by the key union `K`. */
type EventsOf<E, K> = K extends keyof E & string ? TypedEvent<E, K> : never;

/** The event a handler for `N` receives: a union over every type it matches, discriminated by `type`. */
export type EventFor<E extends object, N extends string> =
  // Conditional on `N` first: while `N` is still a type parameter (when `Receiver<E>` is instantiated
  // with a concrete map), the whole type stays deferred instead of distributing over every key.
  // Not distributive (`[N]`): the fallback instantiation TS makes for a call with a bad name is
  // `N` = every name at once, and distributing over those would cost name × key instantiations.
  [N] extends [string]
    ? IsOpen<E> extends true
      ? WebhookEvent<string, OpenPayload<E>>
      : EventsOf<E, Matching<keyof E, N>>
    : never;

/** Any event of the map. */
export type AnyEvent<E extends object> =
  IsOpen<E> extends true ? WebhookEvent<string, OpenPayload<E>> : EventsOf<E, keyof E>;

/** The event map a receiver is typed by: the explicit map, else the one `events` schemas infer, else any type. */
export type ResolveEvents<Events, S extends SchemaMap> = [Events] extends [never]
  ? {} extends S
    ? EventMap
    : InferEvents<S>
  : Events;
