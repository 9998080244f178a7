import { describe, expect, it } from "vitest";
import { journalAttemptJson, journalAttemptOf, journalHistoryOf } from "./history.js";
import { redactMessage } from "./redact.js";

const at = new Date("2030-01-01T00:00:10.000Z");

describe("journalAttemptOf", () => {
  it("makes an attempt of a handler run and of a dead or stale end, and of nothing else", () => {
    expect(journalAttemptOf({ status: "failed", at, attempt: true, durationMs: 250 })).toEqual({
      startedAt: new Date("2030-01-01T00:00:09.750Z"),
      outcome: "failed",
      durationMs: 250,
      error: undefined,
    });
    expect(journalAttemptOf({ status: "dead", at, error: { code: "x", message: "gave up" } })).toMatchObject({
      startedAt: at,
      outcome: "dead",
      error: { code: "x", message: "gave up" },
    });
    expect(journalAttemptOf({ status: "stale", at })?.outcome).toBe("stale");
    expect(journalAttemptOf({ status: "queued", at, durationMs: 3 })).toBeUndefined();
    expect(journalAttemptOf({ status: "received", at })).toBeUndefined();
    expect(journalAttemptOf({ status: "handled", at, clearError: true })).toBeUndefined();
  });

  it("ignores a duration that is not a finite, non-negative number", () => {
    expect(journalAttemptOf({ status: "handled", at, attempt: true, durationMs: Number.NaN })).toMatchObject({
      startedAt: at,
      durationMs: undefined,
    });
    expect(journalAttemptOf({ status: "handled", at, attempt: true, durationMs: -5 })?.startedAt).toEqual(at);
  });

  it("round-trips through the stored form, and skips what it cannot read", () => {
    const attempt = journalAttemptOf({
      status: "failed",
      at,
      attempt: true,
      durationMs: 1.5,
      error: { code: "handler_failed", message: "Zoë ✓" },
    })!;
    const stored = `[${journalAttemptJson(attempt)},{"at":"nope"},{"at":1,"outcome":"bogus"},7]`;
    expect(journalHistoryOf(stored)).toEqual([attempt]);
    expect(journalHistoryOf(JSON.parse(stored))).toEqual([attempt]);
    expect(journalHistoryOf(null)).toEqual([]);
    expect(journalHistoryOf("not json")).toEqual([]);
  });
});

describe("redactMessage", () => {
  it("replaces credentials, whatever the provider, and keeps the rest of the message", () => {
    expect(redactMessage("connect postgres://app:hunter2@db:5432/app failed")).toBe(
      "connect postgres://app:[redacted]@db:5432/app failed",
    );
    expect(redactMessage("redis://:pw@host refused")).toBe("redis://:[redacted]@host refused");
    expect(redactMessage("401 with Authorization: Bearer abc.def-123")).toBe(
      "401 with Authorization: Bearer [redacted]",
    );
    expect(redactMessage("Authorization: token ghp_16C7e42F292c6912E7710c838347Ae178B4a")).toBe(
      "Authorization: token [redacted]",
    );
    expect(redactMessage(`client_secret=s3cr3t&x-api-key: "k-1", db_password='pw'`)).toBe(
      `client_secret=[redacted]&x-api-key: "[redacted]", db_password='[redacted]'`,
    );
  });

  it("leaves prose and ordinary pairs alone", () => {
    for (const message of [
      "token expired",
      "status=500 id=evt_1 type: invoice.paid",
      "see https://example.com/a:b@c",
      "card processor unreachable",
    ]) {
      expect(redactMessage(message)).toBe(message);
    }
  });
});
