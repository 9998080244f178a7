import { describe, expect, it } from "vitest";
import { schemes } from "../schemes/index.js";
import type { StandardSchemaV1 } from "../standard-schema.js";
import { createReceiver } from "./create-receiver.js";

const scheme = schemes.standardWebhooks({ secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" });

/** A schema that refuses every payload, and counts its calls. */
function refusing(): StandardSchemaV1 & { calls: number } {
  const schema = {
    calls: 0,
    "~standard": {
      version: 1 as const,
      vendor: "test",
      validate: () => {
        schema.calls++;
        return { issues: [{ message: "refused" }] };
      },
    },
  };
  return schema;
}

async function send(
  receiver: { handle: ReturnType<typeof createReceiver>["handle"] },
  id: string,
  type: string,
) {
  const rawBody = JSON.stringify({ type, data: {} });
  return receiver.handle({ method: "POST", headers: await scheme.sign({ rawBody, id }), rawBody });
}

describe("schemas by event type", () => {
  it("looks types up as own keys only: `constructor` or `__proto__` is a type without a schema", async () => {
    for (const events of [{}, { "order.created": refusing() }]) {
      const receiver = createReceiver({ scheme, events });
      receiver.onAny(() => {});
      for (const [i, type] of ["constructor", "__proto__", "toString", "hasOwnProperty"].entries())
        expect((await send(receiver, `msg_${i}`, type)).status).toBe(200);
    }
  });

  it("validates by the map as it is at each request, as before: a schema added later applies", async () => {
    const events: Record<string, StandardSchemaV1> = {};
    const receiver = createReceiver({ scheme, events });
    receiver.onAny(() => {});
    expect((await send(receiver, "msg_a", "order.created")).status).toBe(200);
    const schema = refusing();
    events["order.created"] = schema;
    const refused = await send(receiver, "msg_b", "order.created");
    expect(refused.status).toBe(422);
    expect(refused.error?.code).toBe("schema_validation_failed");
    expect(schema.calls).toBe(1);
    // Other types still have none.
    expect((await send(receiver, "msg_c", "order.updated")).status).toBe(200);
  });
});
