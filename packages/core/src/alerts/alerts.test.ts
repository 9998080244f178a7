import { afterEach, describe, expect, it, vi } from "vitest";
import { isWebhookError } from "../errors.js";
import { memoryJournal } from "../journal/memory-journal.js";
import { memoryQueue } from "../queue/memory-queue.js";
import { createReceiver } from "../receiver/create-receiver.js";
import type { ReceiverOptions } from "../receiver/types.js";
import { schemes } from "../schemes/index.js";
import type { Alert, AlertOptions } from "./types.js";

const secret = "whsec_alert_tests";
const scheme = schemes.stripe({ secret });
const forged = schemes.stripe({ secret: "whsec_rotated_elsewhere" });

async function request(id: string, signer = scheme) {
  const rawBody = JSON.stringify({ id, type: "invoice.paid", data: {} });
  return {
    method: "POST",
    url: "https://example.com/hooks",
    headers: await signer.sign({ rawBody }),
    rawBody,
  };
}

/** A receiver whose alerts land in `alerts`, on a clock the test moves. */
function alerting(
  options: Omit<Partial<ReceiverOptions>, "alerts"> & { alerts?: Partial<AlertOptions> } = {},
) {
  const alerts: Alert[] = [];
  const receiver = createReceiver({
    scheme,
    ...options,
    alerts: { notify: (alert) => void alerts.push(alert), ...options.alerts },
  }).on("invoice.paid", () => {});
  return { receiver, alerts };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("signature failure alerts", () => {
  it("25 bad signatures within a minute raise exactly one alert", async () => {
    vi.useFakeTimers({ now: new Date("2026-12-04T12:00:00Z") });
    const { receiver, alerts } = alerting({
      alerts: { signatureFailures: { threshold: 10, windowMs: 60_000 } },
    });
    for (let i = 0; i < 25; i++) {
      expect((await receiver.handle(await request(`evt_bad_${i}`, forged))).status).toBe(401);
      vi.advanceTimersByTime(2_000); // 25 requests over 50 s
    }
    expect(alerts).toEqual([
      expect.objectContaining({ kind: "signature_failures", scheme: "stripe", count: 10 }),
    ]);
  });

  it("failures spread wider than the window, or below the threshold, raise none", async () => {
    vi.useFakeTimers({ now: new Date("2026-12-04T12:00:00Z") });
    const { receiver, alerts } = alerting({
      alerts: { signatureFailures: { threshold: 3, windowMs: 10_000 } },
    });
    for (let i = 0; i < 6; i++) {
      await receiver.handle(await request(`evt_slow_${i}`, forged));
      vi.advanceTimersByTime(6_000); // never 3 within 10 s
    }
    expect(alerts).toEqual([]);
  });

  it("alerts again in the next throttle window, not before", async () => {
    vi.useFakeTimers({ now: new Date("2026-12-04T12:00:00Z") });
    const { receiver, alerts } = alerting({
      alerts: { signatureFailures: { threshold: 2, windowMs: 60_000 }, throttleMs: 120_000 },
    });
    for (let i = 0; i < 8; i++) {
      await receiver.handle(await request(`evt_t_${i}`, forged));
      vi.advanceTimersByTime(30_000);
    }
    // Failures at 0, 30, …, 210 s: alerts at 30 s and at 150 s (the first failure pair after 150 s).
    expect(alerts.map((a) => a.at.toISOString())).toEqual([
      "2026-12-04T12:00:30.000Z",
      "2026-12-04T12:02:30.000Z",
    ]);
  });

  it("verified deliveries and other refusals are not signature failures", async () => {
    const { receiver, alerts } = alerting({ alerts: { signatureFailures: { threshold: 1 } } });
    await receiver.handle(await request("evt_ok"));
    await receiver.handle({ ...(await request("evt_get")), method: "GET" }); // 405
    expect(alerts).toEqual([]);
  });

  it("no alert carries a secret, a signature or the body", async () => {
    const { receiver, alerts } = alerting({ alerts: { signatureFailures: { threshold: 1 } } });
    const bad = await request("evt_secretive", forged);
    await receiver.handle(bad);
    expect(alerts).toHaveLength(1);
    const text = JSON.stringify(alerts);
    expect(text).not.toContain(secret);
    expect(text).not.toContain(bad.headers["stripe-signature"]!.split("v1=")[1]);
    expect(text).not.toContain("evt_secretive");
  });
});

describe("dead letter alerts", () => {
  it("a delivery given up on raises one alert naming it, and the journal shows it dead", async () => {
    const journal = memoryJournal();
    const queue = memoryQueue({ retry: { attempts: 2, backoff: 1 } });
    const { receiver, alerts } = alerting({ queue, journal });
    receiver.on("invoice.paid", () => {
      throw new Error("the database is down");
    });
    expect((await receiver.handle(await request("evt_dead"))).status).toBe(202);
    await queue.onIdle();
    expect(alerts).toEqual([
      expect.objectContaining({ kind: "dead_letter", scheme: "stripe", deliveryId: "evt_dead", count: 1 }),
    ]);
    expect(alerts[0]!.message).toContain("handler_failed");
    expect((await journal.list({ status: "dead" })).entries.map((e) => e.id)).toEqual(["evt_dead"]);
  });

  it("dead letters within a throttle window are summed into one follow-up alert", async () => {
    vi.useFakeTimers({ now: new Date("2026-12-04T12:00:00Z") });
    const { receiver, alerts } = alerting({ alerts: { throttleMs: 60_000 } });
    for (const id of ["evt_d1", "evt_d2", "evt_d3"])
      await receiver.deadLetter(await delivery(id), new Error("x"));
    expect(alerts.map((a) => [a.kind, a.deliveryId, a.count])).toEqual([["dead_letter", "evt_d1", 1]]);
    vi.advanceTimersByTime(60_000);
    expect(alerts.map((a) => [a.kind, a.deliveryId, a.count])).toEqual([
      ["dead_letter", "evt_d1", 1],
      ["dead_letter", undefined, 2],
    ]);
    vi.advanceTimersByTime(600_000);
    expect(alerts).toHaveLength(2);
  });

  it("deadLetters: false raises none", async () => {
    const { receiver, alerts } = alerting({ alerts: { deadLetters: false } });
    await receiver.deadLetter(await delivery("evt_quiet"), new Error("x"));
    expect(alerts).toEqual([]);
  });
});

async function delivery(id: string) {
  return scheme.verify(await request(id), { tolerance: 300 });
}

describe("silence alerts", () => {
  it("alert once after afterMs without a verified delivery, and recovered once at the next", async () => {
    vi.useFakeTimers({ now: new Date("2026-12-04T12:00:00Z") });
    const { receiver, alerts } = alerting({ alerts: { silence: { afterMs: 60_000 } } });
    vi.advanceTimersByTime(30_000);
    await receiver.handle(await request("evt_s1")); // resets the clock
    vi.advanceTimersByTime(59_000);
    expect(alerts).toEqual([]);
    vi.advanceTimersByTime(1_000);
    expect(alerts.map((a) => a.kind)).toEqual(["silence"]);
    vi.advanceTimersByTime(10 * 60_000);
    expect(alerts.map((a) => a.kind)).toEqual(["silence"]);
    await receiver.handle(await request("evt_s2"));
    await receiver.handle(await request("evt_s3"));
    expect(alerts.map((a) => a.kind)).toEqual(["silence", "recovered"]);
    vi.advanceTimersByTime(60_000);
    expect(alerts.map((a) => a.kind)).toEqual(["silence", "recovered", "silence"]);
  });

  it("a refused request is not a sign of life", async () => {
    vi.useFakeTimers({ now: new Date("2026-12-04T12:00:00Z") });
    const { receiver, alerts } = alerting({
      alerts: { silence: { afterMs: 60_000 }, signatureFailures: false },
    });
    vi.advanceTimersByTime(50_000);
    await receiver.handle(await request("evt_forged", forged));
    vi.advanceTimersByTime(10_000);
    expect(alerts.map((a) => a.kind)).toEqual(["silence"]);
  });
});

describe("notifiers never affect answers", () => {
  it.each([
    [
      "throws",
      () => {
        throw new Error("notifier down");
      },
    ],
    ["rejects", () => Promise.reject(new Error("notifier down"))],
    ["hangs", () => new Promise<void>(() => {})],
  ])("a notifier that %s: answers and observe are unchanged", async (_name, notify) => {
    const seen: string[] = [];
    const receiver = createReceiver({
      scheme,
      observe: (event) => seen.push(event.kind),
      alerts: { notify, signatureFailures: { threshold: 1 } },
    }).on("invoice.paid", () => {});
    expect((await receiver.handle(await request("evt_x", forged))).status).toBe(401);
    expect((await receiver.handle(await request("evt_y"))).status).toBe(200);
    expect(seen).toEqual(["rejected", "verified", "handled"]);
  });
});

describe("alerts options", () => {
  it.each([
    [{}],
    [{ notify: "https://example.com" }],
    [{ notify: () => {}, throttleMs: -1 }],
    [{ notify: () => {}, silence: { afterMs: 0 } }],
    [{ notify: () => {}, silence: {} }],
    [{ notify: () => {}, signatureFailures: { threshold: 1.5 } }],
    [{ notify: () => {}, deadLetters: "yes" }],
  ])("refuses %j at creation", (alerts) => {
    let caught: unknown;
    try {
      createReceiver({ scheme, alerts: alerts as never });
    } catch (error) {
      caught = error;
    }
    expect(isWebhookError(caught) && caught.code).toBe("invalid_option");
  });
});
