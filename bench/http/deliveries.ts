import { createHmac, randomUUID } from "node:crypto";

/** The Standard Webhooks secret both ends of the HTTP benchmark share. */
export const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/** A JSON body of `bytes` bytes. */
export function payload(bytes: number): string {
  const base = { type: "invoice.paid", data: { filler: "" } };
  base.data.filler = "x".repeat(Math.max(0, bytes - JSON.stringify(base).length));
  return JSON.stringify(base);
}

/**
 * Signed Standard Webhooks headers for `body` under a fresh delivery id each call, so every request
 * is a new delivery (the receiver claims and completes a new key in its store each time).
 */
export function signer(body: string): () => Record<string, string> {
  const key = Buffer.from(SECRET.slice(6), "base64");
  const ts = String(Math.floor(Date.now() / 1000));
  const run = randomUUID().slice(0, 8);
  let n = 0;
  return () => {
    const id = `msg_${run}_${n++}`;
    const signature = createHmac("sha256", key).update(`${id}.${ts}.`).update(body).digest("base64");
    return {
      "content-type": "application/json",
      "webhook-id": id,
      "webhook-timestamp": ts,
      "webhook-signature": `v1,${signature}`,
    };
  };
}
