import type { WebhookEvent } from "./queue.js";
import type { StandardSchemaV1 } from "./standard-schema.js";

/** Event type → payload type. */
export type EventMap = Record<string, unknown>;
/** Event type → Standard Schema validator (zod, valibot, arktype…). */
export type SchemaMap = Record<string, StandardSchemaV1>;
/** The event map a schema map validates to. */
export type InferEvents<S extends SchemaMap> = { [K in keyof S]: StandardSchemaV1.InferOutput<S[K]> };

type Prefixes<K extends string> = K extends `${infer Head}.${infer Tail}`
  ? Head | `${Head}.${Prefixes<Tail>}`
  : never;
type IsOpen<E> = string extends keyof E ? true : false;
type OpenPayload<E> = E extends { [type: string]: infer P } ? P : unknown;

/** Names a handler can be registered for: each event type, and each dotted prefix of one (`issues` for `issues.opened`). */
export type EventName<E extends object> =
  IsOpen<E> extends true ? string : (keyof E & string) | Prefixes<keyof E & string>;

type Matching<E extends object, N extends string> = {
  [K in keyof E & string]: K extends N ? K : K extends `${N}.${string}` ? K : never;
}[keyof E & string];

/** The event a handler for `N` receives: a union over every type it matches, discriminated by `type`. */
export type EventFor<E extends object, N extends string> =
  IsOpen<E> extends true
    ? WebhookEvent<string, OpenPayload<E>>
    : { [K in Matching<E, N>]: WebhookEvent<K, E[K & keyof E]> }[Matching<E, N>];

/** Any event of the map. */
export type AnyEvent<E extends object> =
  IsOpen<E> extends true
    ? WebhookEvent<string, OpenPayload<E>>
    : { [K in keyof E & string]: WebhookEvent<K, E[K]> }[keyof E & string];

/** The event map a receiver is typed by: the explicit map, else the one `events` schemas infer, else any type. */
export type ResolveEvents<Events, S extends SchemaMap> = [Events] extends [never]
  ? {} extends S
    ? EventMap
    : InferEvents<S>
  : Events;
