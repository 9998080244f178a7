import { Agent, request } from "node:http";
import { schemes } from "@hookgate/core";

// Kept-alive connections, a bounded number per receiver: cheaper for the sending test process than
// fetch, which matters on a busy two-core machine.
const agent = new Agent({ keepAlive: true, maxSockets: 32 });

/** A signed Stripe delivery, as Stripe would post it. */
export interface SignedDelivery {
  id: string;
  body: string;
  headers: Record<string, string>;
}

/** `count` distinct deliveries signed with `secret` through `scheme.sign`. */
export async function signDeliveries(secret: string, count: number, run: string): Promise<SignedDelivery[]> {
  const scheme = schemes.stripe({ secret });
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const id = `evt_${run}_${i}`;
      const body = JSON.stringify({
        id,
        object: "event",
        type: "invoice.paid",
        data: { object: { id: `in_${i}`, amount_paid: 100 + i, currency: "eur" } },
      });
      return { id, body, headers: await scheme.sign({ rawBody: body }) };
    }),
  );
}

/** One answer, as the sender saw it. */
export interface Answer {
  id: string;
  status: number;
  /** The error code of a rejection (`store_unavailable`, `in_flight` …). */
  code?: string;
  /** The rejection's message (it names the timeout that answered, e.g. `storeTimeoutMs`). */
  message?: string;
  retryAfter?: string;
  /** When it was sent and answered (ms since the epoch). */
  sentAt: number;
  answeredAt: number;
}

/** Posts one delivery; a connection that fails or times out counts as status 0. */
export function post(url: string, delivery: SignedDelivery, timeoutMs = 30_000): Promise<Answer> {
  const sentAt = Date.now();
  return new Promise((resolve) => {
    const failed = (code: string) =>
      resolve({ id: delivery.id, status: 0, code, sentAt, answeredAt: Date.now() });
    const req = request(
      url,
      { method: "POST", headers: delivery.headers, agent, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", () => failed("connection_failed"));
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          const answer: Answer = { id: delivery.id, status, sentAt, answeredAt: Date.now() };
          if (status >= 300) {
            const retryAfter = res.headers["retry-after"];
            if (retryAfter !== undefined) answer.retryAfter = retryAfter;
            try {
              const error = (
                JSON.parse(Buffer.concat(chunks).toString()) as {
                  error?: { code?: string; message?: string };
                }
              ).error;
              if (error?.code !== undefined) answer.code = error.code;
              if (error?.message !== undefined) answer.message = error.message;
            } catch {
              answer.code = "unparsable";
            }
          }
          resolve(answer);
        });
      },
    );
    req.on("timeout", () => {
      req.destroy();
      failed("timeout");
    });
    req.on("error", (e) => failed(`connection_failed ${(e as NodeJS.ErrnoException).code}`));
    req.end(delivery.body);
  });
}

/** Runs `tasks` with at most `concurrency` at once. */
export async function pool<T>(tasks: Array<() => Promise<T>>, concurrency: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, tasks.length) }, async () => {
      while (next < tasks.length) {
        const index = next++;
        results[index] = await tasks[index]!();
      }
    }),
  );
  return results;
}

/** Tallies answers as `status code` → count, e.g. `{ "202": 2000, "409 in_flight": 812 }`. */
export function tally(answers: Answer[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of answers) {
    const label = a.code ? `${a.status} ${a.code}` : String(a.status);
    out[label] = (out[label] ?? 0) + 1;
  }
  return out;
}

/** Polls until `condition` holds, or throws `describe()` after `timeoutMs`. */
export async function until(
  condition: () => Promise<boolean>,
  timeoutMs: number,
  describe: () => Promise<string> | string,
): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms: ${await describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
