import { describe, expectTypeOf, it } from "vitest";
import type { WebhookEvent } from "./queue.js";
import { createReceiver } from "./receiver/create-receiver.js";
import { schemes } from "./schemes/index.js";
import type { StandardSchemaV1 } from "./standard-schema.js";

const scheme = schemes.github({ secret: "s" });

interface Events {
  "issues.opened": { action: "opened"; issue: { number: number } };
  "issues.closed": { action: "closed"; issue: { number: number; state_reason: string } };
  push: { ref: string; commits: unknown[] };
}

declare function schema<T>(): StandardSchemaV1<unknown, T>;

describe("typed handlers", () => {
  it("types event.payload from a generic type map", () => {
    createReceiver<Events>({ scheme }).on("push", (event) => {
      expectTypeOf(event.type).toEqualTypeOf<"push">();
      expectTypeOf(event.payload).toEqualTypeOf<{ ref: string; commits: unknown[] }>();
      expectTypeOf(event).toMatchTypeOf<WebhookEvent>();
    });
  });

  it("types a prefix handler as the union of the types under it, narrowed by type", () => {
    createReceiver<Events>({ scheme }).on("issues", (event) => {
      expectTypeOf(event.type).toEqualTypeOf<"issues.opened" | "issues.closed">();
      if (event.type === "issues.closed")
        expectTypeOf(event.payload.issue.state_reason).toEqualTypeOf<string>();
    });
  });

  it("infers the map from Standard Schema validators", () => {
    const receiver = createReceiver({
      scheme,
      events: { "order.created": schema<{ orderId: string; total: number }>() },
    });
    receiver.on("order.created", (event) => {
      expectTypeOf(event.payload).toEqualTypeOf<{ orderId: string; total: number }>();
    });
    // @ts-expect-error — not in the schema map
    receiver.on("order.deleted", () => {});
  });

  it("makes an unknown event name a type error where the map is closed", () => {
    const receiver = createReceiver<Events>({ scheme });
    // @ts-expect-error — not an event type nor a prefix of one
    receiver.on("pull_request", () => {});
    // @ts-expect-error — a prefix must end at a dot
    receiver.on("iss", () => {});
  });

  it("accepts any name with an unknown payload when no map is given", () => {
    createReceiver({ scheme }).on("anything.at.all", (event) => {
      expectTypeOf(event.type).toEqualTypeOf<string>();
      expectTypeOf(event.payload).toEqualTypeOf<unknown>();
    });
  });

  it("types onAny as every event of the map", () => {
    createReceiver<Events>({ scheme }).onAny((event) => {
      expectTypeOf(event.type).toEqualTypeOf<"issues.opened" | "issues.closed" | "push">();
    });
  });
});
