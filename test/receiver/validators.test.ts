import { createReceiver, schemes } from "@hookgate/core";
import { type } from "arktype";
import * as v from "valibot";
import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";

const scheme = schemes.standardWebhooks({ secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" });

const validators = {
  zod: z.object({
    type: z.literal("order.created"),
    data: z.object({ orderId: z.string(), total: z.number().nonnegative() }),
  }),
  valibot: v.object({
    type: v.literal("order.created"),
    data: v.object({ orderId: v.string(), total: v.pipe(v.number(), v.minValue(0)) }),
  }),
  arktype: type({ type: "'order.created'", data: { orderId: "string", total: "number >= 0" } }),
};

async function send(
  receiver: { handle: ReturnType<typeof createReceiver>["handle"] },
  id: string,
  total: unknown,
) {
  const rawBody = JSON.stringify({ type: "order.created", data: { orderId: "o_1", total } });
  const headers = await scheme.sign({ rawBody, id });
  return receiver.handle({ method: "POST", headers, rawBody });
}

describe.each(Object.entries(validators))(
  "events validated with %s (Standard Schema)",
  (_name, validator) => {
    it("types the handler's payload, runs it for a valid payload, and answers 422 with issues otherwise", async () => {
      const totals: number[] = [];
      const receiver = createReceiver({ scheme, events: { "order.created": validator } });
      receiver.on("order.created", (event) => {
        expectTypeOf(event.payload.data.total).toEqualTypeOf<number>();
        totals.push(event.payload.data.total);
      });

      expect((await send(receiver, "msg_ok", 42)).status).toBe(200);
      const invalid = await send(receiver, "msg_bad", -1);
      expect(invalid.status).toBe(422);
      const body = JSON.parse(invalid.body);
      expect(body.error.code).toBe("schema_validation_failed");
      expect(body.error.details.issues.length).toBeGreaterThan(0);
      expect(body.error.details.issues[0].path).toEqual(["data", "total"]);
      expect(totals).toEqual([42]);
    });
  },
);
