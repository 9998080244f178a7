/** A JSON body of about `bytes` bytes that every scheme can read its id and type from. */
export function body(bytes: number): Buffer {
  const base = {
    id: "evt_1",
    type: "invoice.paid",
    event_id: "Ev01",
    event_type: "transaction.completed",
    event: { type: "message" },
    action: "create",
    webhookTimestamp: Date.now(),
    data: { filler: "" },
  };
  const overhead = Buffer.byteLength(JSON.stringify(base));
  base.data.filler = "x".repeat(Math.max(0, bytes - overhead));
  return Buffer.from(JSON.stringify(base));
}
