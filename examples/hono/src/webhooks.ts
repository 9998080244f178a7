import { createReceiver, schemes } from "@hookgate/core";
import { z } from "zod";

/** The Standard Webhooks (Svix) signing secret: from .env here, from your runtime's secrets in production. */
export const secret = process.env.WEBHOOK_SECRET ?? "";

/** Verifies Standard Webhooks deliveries, drops duplicates (by webhook-id) and runs the typed handlers below. */
export const receiver = createReceiver({
  scheme: schemes.standardWebhooks({ secret }),
  events: {
    "user.created": z.object({
      type: z.literal("user.created"),
      data: z.object({ id: z.string(), email: z.email() }),
    }),
    "user.deleted": z.object({ type: z.literal("user.deleted"), data: z.object({ id: z.string() }) }),
  },
});

// `event.payload` is validated against the schema (422 otherwise) and typed from it.
receiver.on("user.created", (event) => {
  console.log(`✓ ${event.type}: ${event.payload.data.email} (${event.payload.data.id})`);
});

receiver.on("user.deleted", (event) => {
  console.log(`✓ ${event.type}: ${event.payload.data.id}`);
});
