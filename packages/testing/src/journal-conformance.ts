import type { DeliveryJournal, JournalRecord, JournalSummary } from "@hookgate/core";

/** One scenario of the journal conformance suite: a name, and a function that throws on failure. */
export interface JournalScenario {
  name: string;
  run: () => Promise<void>;
}

/** What the suite asks of a journal it makes: options every implementation takes. */
export interface JournalSetup {
  retainMs?: number;
  keepRejected?: number;
  now?: () => Date;
}

class ConformanceError extends Error {
  override name = "JournalConformanceError";
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new ConformanceError(`hookgate journal conformance: ${message}`);
}

const encoder = new TextEncoder();

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The key the suite records `id` under (unless a scenario gives its own): a row's identity. */
const keyOf = (id: string) => `stripe:${id}`;

function record(id: string, overrides: Partial<JournalRecord> = {}): JournalRecord {
  return {
    id,
    key: keyOf(id),
    scheme: "stripe",
    type: "invoice.paid",
    receivedAt: new Date("2030-01-01T00:00:00.000Z"),
    rawBody: encoder.encode(JSON.stringify({ id, type: "invoice.paid" })),
    headers: { "content-type": "application/json", "stripe-signature": `t=1,v1=${"a".repeat(64)}` },
    matchedSecret: { index: 0 },
    ...overrides,
  };
}

/** Bytes that are not text: every byte value, then a pseudo-random tail (a fixed seed). */
function binaryBody(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  let seed = 0x2545f491;
  for (let i = 0; i < size; i++) {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    bytes[i] = i < 256 ? i : seed & 0xff;
  }
  return bytes;
}

async function allPages(
  journal: DeliveryJournal,
  filter: Parameters<DeliveryJournal["list"]>[0],
): Promise<JournalSummary[]> {
  const out: JournalSummary[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 100; page++) {
    const result = await journal.list({ ...filter, cursor });
    out.push(...result.entries);
    cursor = result.cursor;
    if (cursor === undefined) return out;
  }
  throw new ConformanceError("hookgate journal conformance: list never stopped returning a cursor");
}

/**
 * The scenarios every {@link DeliveryJournal} must pass, runner-agnostic: each `run` throws on
 * failure. `makeJournal` is called once per scenario and must return an EMPTY journal honouring
 * the options given (a fresh file, a fresh table) — the scenarios count what they find.
 *
 * @example
 * for (const scenario of journalConformance((o) => sqliteJournal({ path: tempFile(), ...o }))) it(scenario.name, scenario.run);
 */
export function journalConformance(
  makeJournal: (setup: JournalSetup) => DeliveryJournal | Promise<DeliveryJournal>,
): JournalScenario[] {
  const make = async (setup: JournalSetup = {}) => makeJournal(setup);
  const t0 = new Date("2030-01-01T00:00:00.000Z").getTime();
  const at = (seconds: number) => new Date(t0 + seconds * 1000);

  return [
    {
      name: "round trip is byte-exact: multi-byte UTF-8, \\r\\n, binary, a 2 MiB body, a Twilio form",
      async run() {
        const journal = await make();
        const bodies: Array<[string, Uint8Array, Record<string, string>, string | undefined]> = [
          [
            "utf8",
            encoder.encode('{"name":"Zoë ✓ 日本語 🚀","note":"line one\r\nline two\r\n"}\r\n'),
            { "content-type": "application/json; charset=utf-8", "stripe-signature": "t=1,v1=ab" },
            undefined,
          ],
          ["binary", binaryBody(4096), { "content-type": "application/octet-stream" }, undefined],
          [
            "big",
            encoder.encode(
              JSON.stringify({ blob: "é".repeat(1 << 20) }), // 2 MiB + a few bytes of two-byte characters
            ),
            { "content-type": "application/json" },
            undefined,
          ],
          [
            "twilio",
            encoder.encode(
              "AccountSid=AC123&Body=Hello+%F0%9F%91%8B+w%C3%B6rld%0D%0A&From=%2B14155550100&To=%2B14155550199&MessageSid=SM1",
            ),
            {
              "content-type": "application/x-www-form-urlencoded",
              "x-twilio-signature": "kVd7n0aN7q5vV0gK1mJ9F4S3r2w=",
              "i-twilio-idempotency-token": "tok-1",
            },
            "https://example.com/webhooks/twilio?tenant=a%20b&x=1",
          ],
        ];
        for (const [id, rawBody, headers, url] of bodies) {
          await journal.record(
            record(id, {
              rawBody,
              headers,
              url,
              scheme: id === "twilio" ? "twilio" : "stripe",
              timestamp: at(-3),
              receivedAt: at(0.123),
              matchedSecret: { index: 1, id: "2026-rotation" },
            }),
          );
        }
        for (const [id, rawBody, headers, url] of bodies) {
          const entry = await journal.get(keyOf(id));
          check(entry !== undefined, `get(${id}) should find the entry`);
          check(entry.rawBody instanceof Uint8Array, `${id}: rawBody should be a Uint8Array`);
          check(sameBytes(entry.rawBody, rawBody), `${id}: the stored bytes differ from the bytes recorded`);
          check(entry.size === rawBody.byteLength, `${id}: size should be the byte length`);
          check(JSON.stringify(entry.headers) === JSON.stringify(headers), `${id}: headers differ`);
          check(entry.url === url, `${id}: url should be ${String(url)}, got ${String(entry.url)}`);
          check(entry.receivedAt.getTime() === at(0.123).getTime(), `${id}: receivedAt keeps milliseconds`);
          check(entry.timestamp?.getTime() === at(-3).getTime(), `${id}: timestamp round trip`);
          check(
            entry.matchedSecret.index === 1 && entry.matchedSecret.id === "2026-rotation",
            `${id}: matchedSecret round trip`,
          );
          check(
            entry.status === "received" && entry.attempts === 0,
            `${id}: a new entry is received, 0 attempts`,
          );
          check(
            entry.key === `stripe:${id}` && entry.type === "invoice.paid",
            `${id}: key and type round trip`,
          );
        }
        check((await journal.get(keyOf("no-such-id"))) === undefined, "get of an unknown key is undefined");
      },
    },
    {
      name: "lifecycle: received → queued → failed → handled → dead, attempts and the last error",
      async run() {
        const journal = await make();
        await journal.record(record("life"));
        check(
          await journal.update(keyOf("life"), { status: "queued", at: at(1), durationMs: 2 }),
          "queued applies",
        );
        let entry = await journal.get(keyOf("life"));
        check(entry?.status === "queued" && entry.attempts === 0, "queued, no attempt yet");
        check(
          await journal.update(keyOf("life"), {
            status: "failed",
            at: at(2),
            attempt: true,
            durationMs: 12.5,
            error: { code: "handler_failed", message: "database is down ✗" },
          }),
          "failed applies",
        );
        entry = await journal.get(keyOf("life"));
        check(entry?.status === "failed" && entry.attempts === 1, "failed after one attempt");
        check(
          entry.lastError?.code === "handler_failed" && entry.lastError.message === "database is down ✗",
          "the last error is kept with its code and message",
        );
        check(entry.updatedAt.getTime() === at(2).getTime(), "updatedAt is the step's time");
        check(
          await journal.update(keyOf("life"), { status: "handled", at: at(3), attempt: true, durationMs: 7 }),
          "handled",
        );
        entry = await journal.get(keyOf("life"));
        check(entry?.status === "handled" && entry.attempts === 2, "handled after two attempts");
        check(entry.durationMs === 7, `durationMs is the last attempt's, got ${String(entry.durationMs)}`);
        check(entry.lastError?.message === "database is down ✗", "a later success keeps the last error");
        check(
          await journal.update(keyOf("life"), { status: "handled", at: at(3), clearError: true }),
          "handled with clearError (a successful replay)",
        );
        entry = await journal.get(keyOf("life"));
        check(
          entry?.status === "handled" && entry.lastError === undefined && entry.attempts === 2,
          "clearError removes the last error, and counts no attempt of its own",
        );
        check(
          !(await journal.update(keyOf("life"), { status: "queued", at: at(4) })),
          "a late queued must not overwrite a handled entry",
        );
        check((await journal.get(keyOf("life")))?.status === "handled", "still handled after a late queued");
        check(
          await journal.update(keyOf("life"), {
            status: "dead",
            at: at(5),
            error: { code: "x", message: "gave up" },
          }),
          "dead",
        );
        check((await journal.get(keyOf("life")))?.status === "dead", "dead");
        check(
          !(await journal.update(keyOf("nope"), { status: "handled", at: at(6) })),
          "update of an unknown key is false",
        );
        await journal.record(record("life", { receivedAt: at(10) }));
        entry = await journal.get(keyOf("life"));
        check(
          entry?.status === "received" &&
            entry.attempts === 2 &&
            entry.receivedAt.getTime() === at(10).getTime(),
          "recording a key again (a sender's retry) resets it to received and keeps its attempts",
        );
        check(
          await journal.update(keyOf("life"), { status: "received", at: at(11) }),
          "received puts it back",
        );
        check(
          await journal.update(keyOf("life"), { status: "queued", at: at(12) }),
          "then queued applies again",
        );
      },
    },
    {
      name: "history: each attempt in order with its start, outcome, duration and error; kept on re-record; the last 20",
      async run() {
        const journal = await make();
        const key = keyOf("hist");
        await journal.record(record("hist"));
        check(JSON.stringify((await journal.get(key))?.history) === "[]", "a new entry has an empty history");
        await journal.update(key, { status: "queued", at: at(1), durationMs: 2 });
        await journal.update(key, {
          status: "failed",
          at: at(2),
          attempt: true,
          durationMs: 500,
          error: { code: "handler_failed", message: "database is down ✗" },
        });
        await journal.update(key, { status: "handled", at: at(3), attempt: true, durationMs: 7.25 });
        await journal.update(key, { status: "handled", at: at(3), clearError: true });
        await journal.update(key, {
          status: "dead",
          at: at(4),
          error: { code: "gave_up", message: "no more" },
        });
        let entry = await journal.get(key);
        check(entry !== undefined, "get finds the entry");
        const outcomes = entry.history.map((attempt) => attempt.outcome).join(",");
        check(
          outcomes === "failed,handled,dead",
          `the history holds the runs and the dead end, oldest first (not queued, not a clearError mark): ${outcomes}`,
        );
        const [failed, handled, dead] = entry.history as [
          (typeof entry.history)[0],
          (typeof entry.history)[0],
          (typeof entry.history)[0],
        ];
        check(failed.startedAt instanceof Date, "startedAt is a Date");
        check(
          failed.startedAt.getTime() === at(2).getTime() - 500,
          `an attempt started its duration before the step's time, got ${failed.startedAt.toISOString()}`,
        );
        check(
          failed.durationMs === 500 && handled.durationMs === 7.25,
          "each attempt keeps its own duration",
        );
        check(
          failed.error?.code === "handler_failed" && failed.error.message === "database is down ✗",
          `a failed attempt keeps its error, got ${JSON.stringify(failed.error)}`,
        );
        check(handled.error === undefined, "a handled attempt has no error");
        check(
          dead.startedAt.getTime() === at(4).getTime() && dead.durationMs === undefined,
          "a step without a duration starts at its time",
        );
        check(
          dead.error?.code === "gave_up" && dead.error.message === "no more",
          "the dead end keeps its error",
        );
        const [summary] = (await journal.list({})).entries;
        check(
          summary !== undefined && (summary as { history?: unknown }).history === undefined,
          "list returns summaries, without the history",
        );
        await journal.record(record("hist", { receivedAt: at(10) }));
        entry = await journal.get(key);
        check(
          entry?.history.length === 3 && entry.attempts === 2,
          "recording the key again (a sender's retry) keeps its history and attempts",
        );
        for (let i = 0; i < 25; i++) {
          await journal.update(key, {
            status: "failed",
            at: at(20 + i),
            attempt: true,
            durationMs: i,
            error: { code: "handler_failed", message: `run ${i}` },
          });
        }
        entry = await journal.get(key);
        check(entry?.attempts === 27, `attempts counts every run, got ${String(entry?.attempts)}`);
        check(entry.history.length === 20, `the history keeps the last 20, got ${entry.history.length}`);
        const messages = entry.history.map((attempt) => attempt.error?.message);
        check(
          messages[0] === "run 5" && messages[19] === "run 24",
          `the oldest are dropped, the newest kept in order: ${messages[0]} … ${messages[19]}`,
        );
        check(
          entry.history.every((attempt, i) => i === 0 || attempt.startedAt > entry.history[i - 1]!.startedAt),
          "the history stays oldest first",
        );
        check(
          !(await journal.update(keyOf("no-such"), { status: "failed", at: at(50), attempt: true })),
          "an update of an unknown key is still false",
        );
      },
    },
    {
      name: "history: errors are truncated and credential-free, and nothing but the attempt is kept",
      async run() {
        const journal = await make();
        const key = keyOf("secrets");
        const signature = `t=1,v1=${"c".repeat(64)}`;
        await journal.record(
          record("secrets", {
            headers: { "content-type": "application/json", "stripe-signature": signature },
            rawBody: encoder.encode('{"card":"4242424242424242"}'),
          }),
        );
        const steps: Array<{ code: string; message: string }> = [
          { code: "c".repeat(300), message: "x".repeat(10_000) },
          { code: "handler_failed", message: `${"a".repeat(499)}${"🚀".repeat(10)}` },
          {
            code: "handler_failed",
            message:
              "connect postgres://app:hunter2@db.internal:5432/app failed\nAuthorization: Bearer abcDEF123456789xyz\nclient_secret=s3cr3t-value&api_key: 'k-777'",
          },
          { code: "handler_failed", message: "a NUL \0 here and a lone \ud800 there" },
        ];
        for (const [i, error] of steps.entries()) {
          check(
            await journal.update(key, {
              status: "failed",
              at: at(i + 1),
              attempt: true,
              durationMs: 1,
              error,
            }),
            `update ${i} applies (a message of any content is stored)`,
          );
        }
        const entry = await journal.get(key);
        check(entry?.history.length === 4, `four attempts, got ${String(entry?.history.length)}`);
        const [long, emoji, credentials, odd] = entry.history.map((attempt) => attempt.error!) as [
          { code: string; message: string },
          { code: string; message: string },
          { code: string; message: string },
          { code: string; message: string },
        ];
        check(
          long.message.length <= 501 && long.message.startsWith("xxxx") && long.message.endsWith("…"),
          `a long message is cut to 500 characters and marked, got ${long.message.length}`,
        );
        check(
          long.code.length <= 101 && long.code.startsWith("ccc"),
          `a long code is cut, got ${long.code.length}`,
        );
        check(
          emoji.message.startsWith("a".repeat(499)) &&
            !/[\ud800-\udbff](?![\udc00-\udfff])/.test(emoji.message),
          "a cut never splits a character",
        );
        for (const secret of ["hunter2", "abcDEF123456789xyz", "s3cr3t-value", "k-777"]) {
          check(!credentials.message.includes(secret), `a credential in an error (${secret}) is not kept`);
        }
        check(
          credentials.message.includes("postgres://app:[redacted]@db.internal") &&
            credentials.message.includes("failed"),
          `the rest of the message is kept: ${credentials.message}`,
        );
        check(
          !odd.message.includes("\0") && odd.message.startsWith("a NUL"),
          "a NUL is replaced, and the message kept",
        );
        for (const attempt of entry.history) {
          const keys = Object.entries(attempt)
            .filter(([, value]) => value !== undefined)
            .map(([name]) => name);
          check(
            keys.every((name) => ["startedAt", "outcome", "durationMs", "error"].includes(name)),
            `an attempt holds only its start, outcome, duration and error, got ${keys.join(", ")}`,
          );
        }
        const kept = JSON.stringify(entry.history);
        check(
          !kept.includes(signature) && !kept.includes("4242424242424242"),
          "the history copies neither headers nor body",
        );
      },
    },
    {
      name: "a stale delivery (ordering) is kept, listed and counted as stale; a late queued leaves it",
      async run() {
        const journal = await make();
        await journal.record(record("stale", { receivedAt: at(1) }));
        check(await journal.update(keyOf("stale"), { status: "stale", at: at(2) }), "stale applies");
        const entry = await journal.get(keyOf("stale"));
        check(entry?.status === "stale" && entry.attempts === 0, "stale, no attempt: its handlers never ran");
        check(
          !(await journal.update(keyOf("stale"), { status: "queued", at: at(3) })),
          "a late queued must not overwrite a stale entry (a fast worker judged it first)",
        );
        const listed = await allPages(journal, { status: "stale" });
        check(listed.length === 1 && listed[0]!.id === "stale", "list({ status: 'stale' }) finds it");
        const stats = await journal.stats({ since: at(0) });
        check(stats.byStatus.stale === 1, `stats count it as stale, got ${String(stats.byStatus.stale)}`);
      },
    },
    {
      name: "list filters by status, type and time, newest first, and pages with a cursor",
      async run() {
        const journal = await make();
        const statuses = ["handled", "failed", "dead", "queued", "received"] as const;
        for (let i = 0; i < 25; i++) {
          const id = `evt_${String(i).padStart(2, "0")}`;
          // Two entries share each second, so the cursor must order by key within a time.
          await journal.record(
            record(id, {
              receivedAt: at(Math.floor(i / 2)),
              type: i % 3 === 0 ? "invoice.paid" : "charge.failed",
            }),
          );
          const status = statuses[i % statuses.length]!;
          if (status !== "received")
            await journal.update(keyOf(id), { status, at: at(100), attempt: status !== "queued" });
        }
        const all = await allPages(journal, { limit: 4 });
        check(all.length === 25, `paging by 4 should see all 25 entries once, saw ${all.length}`);
        check(new Set(all.map((e) => e.id)).size === 25, "no entry appears on two pages");
        for (let i = 1; i < all.length; i++) {
          check(
            all[i - 1]!.receivedAt.getTime() >= all[i]!.receivedAt.getTime(),
            "entries come newest first",
          );
        }
        check((all[0] as { rawBody?: unknown }).rawBody === undefined, "list returns summaries, not bytes");
        const failed = await allPages(journal, { status: "failed" });
        check(
          failed.length === 5 && failed.every((e) => e.status === "failed"),
          `5 failed, got ${failed.length}`,
        );
        const either = await allPages(journal, { status: ["failed", "dead"] });
        check(either.length === 10, `status as a list: 10 failed or dead, got ${either.length}`);
        const paid = await allPages(journal, { type: "invoice.paid" });
        check(
          paid.length === 9 && paid.every((e) => e.type === "invoice.paid"),
          `9 invoice.paid, got ${paid.length}`,
        );
        const window = await allPages(journal, { since: at(3), until: at(6) });
        check(
          window.length === 6 && window.every((e) => e.receivedAt >= at(3) && e.receivedAt < at(6)),
          `since is inclusive, until exclusive: 6 entries, got ${window.length}`,
        );
        const combined = await allPages(journal, { status: "handled", type: "invoice.paid", since: at(5) });
        check(
          combined.every((e) => e.status === "handled" && e.type === "invoice.paid" && e.receivedAt >= at(5)),
          "filters combine",
        );
        const first = await journal.list({ limit: 3 });
        check(first.entries.length === 3 && first.cursor !== undefined, "a first page of 3, with a cursor");
        const last = await journal.list({ limit: 25 });
        check(last.entries.length === 25 && last.cursor === undefined, "no cursor when everything fits");
      },
    },
    {
      name: "stats count by status and type, with handling-time percentiles and refusals by code",
      async run() {
        const journal = await make({ now: () => at(0) });
        for (let i = 1; i <= 100; i++) {
          await journal.record(record(`s${i}`, { receivedAt: at(i), type: i <= 60 ? "a" : "b" }));
          await journal.update(
            keyOf(`s${i}`),
            i <= 90
              ? { status: "handled", at: at(i), attempt: true, durationMs: i }
              : {
                  status: "failed",
                  at: at(i),
                  attempt: true,
                  durationMs: 1000,
                  error: { code: "handler_failed", message: "x" },
                },
          );
        }
        for (let i = 0; i < 3; i++) await journal.reject({ code: "signature_mismatch", at: at(50) });
        await journal.reject({ code: "timestamp_too_old", at: at(50) });
        const stats = await journal.stats();
        check(stats.total === 100, `total 100, got ${stats.total}`);
        check(
          stats.byStatus.handled === 90 && stats.byStatus.failed === 10 && stats.byStatus.dead === 0,
          "by status",
        );
        check(stats.byType.a === 60 && stats.byType.b === 40, "by type");
        check(
          stats.handlingMs.p50 === 45,
          `p50 of handled 1..90 ms is 45, got ${String(stats.handlingMs.p50)}`,
        );
        check(
          stats.handlingMs.p99 === 90,
          `p99 of handled 1..90 ms is 90, got ${String(stats.handlingMs.p99)}`,
        );
        check(
          stats.rejected.signature_mismatch === 3 && stats.rejected.timestamp_too_old === 1,
          `refusals by code: ${JSON.stringify(stats.rejected)}`,
        );
        const recent = await journal.stats({ since: at(91) });
        check(
          recent.total === 10 && recent.byStatus.failed === 10,
          `since: the last 10, got ${recent.total}`,
        );
        check(recent.handlingMs.p50 === undefined, "no handled deliveries since then: no percentile");
      },
    },
    {
      name: "stats count deliveries per minute of receipt by status, oldest first; list filters by scheme",
      async run() {
        const journal = await make({ now: () => at(0) });
        // Minute 0: 2 handled, 1 failed; minute 1: none; minute 2: 1 handled (github).
        const rows: Array<[string, number, "handled" | "failed", string]> = [
          ["m1", 5, "handled", "stripe"],
          ["m2", 59, "failed", "stripe"],
          ["m3", 30, "handled", "stripe"],
          ["m4", 125, "handled", "github"],
        ];
        for (const [id, second, status, scheme] of rows) {
          await journal.record(record(id, { receivedAt: at(second), scheme }));
          await journal.update(keyOf(id), { status, at: at(second), attempt: true, durationMs: 1 });
        }
        const { perMinute } = await journal.stats();
        check(
          perMinute.length === 2,
          `two minutes with deliveries (an empty one is left out), got ${perMinute.length}`,
        );
        const [first, second] = perMinute as [(typeof perMinute)[0], (typeof perMinute)[0]];
        check(
          first.minute.getTime() === at(0).getTime() && second.minute.getTime() === at(120).getTime(),
          `minutes are the starts of the minutes, oldest first: ${perMinute.map((m) => m.minute.toISOString()).join(", ")}`,
        );
        check(
          first.byStatus.handled === 2 && first.byStatus.failed === 1 && first.byStatus.dead === 0,
          `the first minute counts 2 handled and 1 failed: ${JSON.stringify(first.byStatus)}`,
        );
        check(second.byStatus.handled === 1, "the third minute counts 1 handled");
        const recent = await journal.stats({ since: at(60) });
        check(recent.perMinute.length === 1, "since applies to the series");
        const github = await allPages(journal, { scheme: "github" });
        check(
          github.length === 1 && github[0]!.id === "m4",
          `list({ scheme }) finds the one github delivery, got ${github.length}`,
        );
        check((await allPages(journal, { scheme: "stripe" })).length === 3, "three stripe deliveries");
      },
    },
    {
      name: "refused requests are kept whole only when asked, and bounded",
      async run() {
        const none = await make();
        await none.reject({
          code: "signature_mismatch",
          at: at(1),
          request: {
            code: "signature_mismatch",
            at: at(1),
            headers: { a: "b" },
            rawBody: encoder.encode("x"),
          },
        });
        check((await none.rejections()).length === 0, "without keepRejected no request is kept");
        const journal = await make({ keepRejected: 2 });
        for (let i = 0; i < 4; i++) {
          await journal.reject({
            code: "signature_mismatch",
            at: at(i),
            request: {
              code: "signature_mismatch",
              at: at(i),
              url: `https://example.com/hooks?i=${i}`,
              headers: { "stripe-signature": `t=${i}` },
              rawBody: encoder.encode(`body ✓ ${i}\r\n`),
            },
          });
        }
        const kept = await journal.rejections();
        check(kept.length === 2, `keepRejected: 2 keeps 2, got ${kept.length}`);
        check(kept[0]!.url === "https://example.com/hooks?i=3", "newest first");
        check(sameBytes(kept[0]!.rawBody, encoder.encode("body ✓ 3\r\n")), "kept bytes are exact");
        check(
          kept[0]!.headers["stripe-signature"] === "t=3" && kept[0]!.code === "signature_mismatch",
          "code and headers",
        );
        check((await journal.stats()).rejected.signature_mismatch === 4, "every refusal is counted");
      },
    },
    {
      name: "retention: entries older than retainMs are pruned as writes happen",
      async run() {
        let now = at(0);
        const journal = await make({ retainMs: 3_600_000, now: () => now });
        await journal.record(record("old", { receivedAt: at(0) }));
        await journal.reject({ code: "signature_mismatch", at: at(0) });
        now = at(1800);
        await journal.record(record("middle", { receivedAt: at(1800) }));
        check((await journal.get(keyOf("old"))) !== undefined, "an entry within retainMs is kept");
        now = at(3600 + 120);
        await journal.record(record("new", { receivedAt: now }));
        check(
          (await journal.get(keyOf("old"))) === undefined,
          "an entry older than retainMs is gone after a write",
        );
        check(
          (await journal.get(keyOf("middle"))) !== undefined &&
            (await journal.get(keyOf("new"))) !== undefined,
          "newer kept",
        );
        const listed = await allPages(journal, {});
        check(listed.length === 2, `list sees the 2 kept entries, got ${listed.length}`);
        check(
          (await journal.stats()).rejected.signature_mismatch === undefined,
          "old refusal counts are pruned too",
        );
      },
    },
    {
      name: "issue 18 hole 10: two tenants' deliveries with the same id are two rows, each updated by its key",
      async run() {
        const journal = await make();
        const acme = "acme:stripe:evt_same";
        const globex = "globex:stripe:evt_same";
        await journal.record(
          record("evt_same", { key: acme, tenant: "acme", rawBody: encoder.encode('{"for":"acme"}') }),
        );
        await journal.record(
          record("evt_same", {
            key: globex,
            tenant: "globex",
            rawBody: encoder.encode('{"for":"globex ✓"}'),
            receivedAt: at(1),
          }),
        );
        const a = await journal.get(acme);
        const g = await journal.get(globex);
        check(a !== undefined && g !== undefined, "each tenant's row is found by its key");
        check(
          sameBytes(a.rawBody, encoder.encode('{"for":"acme"}')) &&
            a.tenant === "acme" &&
            a.id === "evt_same",
          "the first tenant's row keeps its own bytes and tenant: a same-id delivery must not overwrite it",
        );
        check(
          sameBytes(g.rawBody, encoder.encode('{"for":"globex ✓"}')) &&
            g.tenant === "globex" &&
            g.key === globex,
          "the second tenant's row has its own bytes, tenant and key",
        );
        check((await journal.get("evt_same")) === undefined, "get takes the key, not the sender's id");
        check(
          await journal.update(acme, { status: "handled", at: at(2), attempt: true, durationMs: 3 }),
          "update by the first key applies",
        );
        check(
          await journal.update(globex, {
            status: "failed",
            at: at(3),
            attempt: true,
            error: { code: "handler_failed", message: "globex down" },
          }),
          "update by the second key applies",
        );
        const a2 = await journal.get(acme);
        const g2 = await journal.get(globex);
        check(
          a2?.status === "handled" && a2.attempts === 1 && a2.lastError === undefined,
          `the first row is handled with no error, got ${a2?.status}`,
        );
        check(
          g2?.status === "failed" && g2.attempts === 1 && g2.lastError?.message === "globex down",
          `the second row failed on its own, got ${g2?.status}`,
        );
        await journal.record(record("evt_same", { key: acme, tenant: "acme", receivedAt: at(4) }));
        const retried = await journal.get(acme);
        check(
          retried?.status === "received" && retried.attempts === 1,
          "re-recording a key replaces that row and keeps its attempts",
        );
        check((await journal.get(globex))?.status === "failed", "re-recording one key leaves the other row");
        const stats = await journal.stats();
        check(stats.total === 2, `two rows, got ${stats.total}`);
        check((await allPages(journal, {})).length === 2, "list sees both rows");
      },
    },
    {
      name: "issue 18 hole 10: list({ id }) finds every row with that id, list({ tenant }) one tenant's",
      async run() {
        const journal = await make();
        await journal.record(record("evt_1", { key: "acme:stripe:evt_1", tenant: "acme" }));
        await journal.record(record("evt_1", { key: "globex:stripe:evt_1", tenant: "globex" }));
        await journal.record(record("evt_1"));
        await journal.record(record("evt_2", { key: "acme:stripe:evt_2", tenant: "acme" }));
        await journal.record(record("evt_10", { key: "acme:stripe:evt_10", tenant: "acme" }));
        // All at one time and paged one at a time: the cursor must tell same-id rows apart by key.
        const byId = await allPages(journal, { id: "evt_1", limit: 1 });
        check(
          byId.length === 3 && byId.every((e) => e.id === "evt_1"),
          `list({ id }) is exact and finds all 3 rows, got ${JSON.stringify(byId.map((e) => e.key))}`,
        );
        check(
          JSON.stringify(byId.map((e) => e.key).sort()) ===
            JSON.stringify(["acme:stripe:evt_1", "globex:stripe:evt_1", "stripe:evt_1"]),
          "each row once, by key",
        );
        check(
          byId.find((e) => e.key === "globex:stripe:evt_1")?.tenant === "globex" &&
            byId.find((e) => e.key === "stripe:evt_1")?.tenant === undefined,
          "summaries carry the tenant, absent where none was recorded",
        );
        const acme = await allPages(journal, { tenant: "acme" });
        check(
          acme.length === 3 && acme.every((e) => e.tenant === "acme"),
          `list({ tenant }) finds the tenant's 3 rows, got ${acme.length}`,
        );
        const one = await allPages(journal, { id: "evt_1", tenant: "globex" });
        check(one.length === 1 && one[0]!.key === "globex:stripe:evt_1", "id and tenant combine");
        check((await allPages(journal, { id: "evt_3" })).length === 0, "an unknown id matches nothing");
      },
    },
    {
      name: "issue 18 hole 10: params and seal round-trip with the row and are replaced with it",
      async run() {
        const journal = await make();
        const params = { tenant: "acme", region: "eu-west ✓", empty: "" };
        await journal.record(
          record("evt_p", { key: "acme:stripe:evt_p", tenant: "acme", params, seal: "v1.q83vEjRWeJA=" }),
        );
        await journal.record(record("evt_plain"));
        const entry = await journal.get("acme:stripe:evt_p");
        check(
          JSON.stringify(entry?.params) === JSON.stringify(params),
          `params round trip, got ${JSON.stringify(entry?.params)}`,
        );
        check(entry?.seal === "v1.q83vEjRWeJA=", `seal round trips as is, got ${String(entry?.seal)}`);
        check(entry.tenant === "acme", "tenant round trips");
        const plain = await journal.get(keyOf("evt_plain"));
        check(
          plain !== undefined &&
            plain.params === undefined &&
            plain.seal === undefined &&
            plain.tenant === undefined,
          "params, seal and tenant are absent where none was recorded",
        );
        check(
          await journal.update("acme:stripe:evt_p", { status: "handled", at: at(1), attempt: true }),
          "update applies",
        );
        check(
          (await journal.get("acme:stripe:evt_p"))?.seal === "v1.q83vEjRWeJA=",
          "an update keeps the seal",
        );
        await journal.record(
          record("evt_p", {
            key: "acme:stripe:evt_p",
            tenant: "acme",
            params: { tenant: "acme" },
            seal: "v1.new",
          }),
        );
        const again = await journal.get("acme:stripe:evt_p");
        check(
          again?.seal === "v1.new" && JSON.stringify(again.params) === JSON.stringify({ tenant: "acme" }),
          "re-recording replaces params and seal",
        );
      },
    },
  ];
}
