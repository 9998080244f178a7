import { deepMerge, type FixtureOverrides } from "./merge.js";

/** A payload fixture: call it for a fresh payload (new ids, current times), with optional overrides. */
export interface FixtureFactory<T> {
  (overrides?: FixtureOverrides<T>): T;
  /** The event type a receiver sees for this payload, e.g. `pull_request.opened`, `orders/create`. */
  readonly type: string;
}

// Which event type each fixture payload stands for, without a visible property on the payload:
// GitHub, Shopify and Linear carry the type in a header, so signing needs it from somewhere.
const fixtureTypes = new WeakMap<object, string>();

/** Declares a fixture for one event type from a function that builds its default payload. */
export function defineFixture<T extends object>(type: string, build: () => T): FixtureFactory<T> {
  const factory = (overrides?: FixtureOverrides<T>): T => {
    const payload = deepMerge(build(), overrides);
    fixtureTypes.set(payload, type);
    return payload;
  };
  return Object.defineProperty(factory, "type", { value: type, enumerable: true }) as FixtureFactory<T>;
}

/** The event type of a payload made by a fixture (lost when the payload is copied). */
export function fixtureTypeOf(payload: unknown): string | undefined {
  return typeof payload === "object" && payload !== null ? fixtureTypes.get(payload) : undefined;
}
