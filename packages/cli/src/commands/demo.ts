import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createReceiver, type StandardSchemaV1, schemes } from "@hookgate/core";
import { handleNodeRequest, writeNodeResponse } from "@hookgate/core/kit";
import {
  fixtures,
  type SignedFixture,
  type StandardWebhooksInvoicePaidEvent,
  signedFixture,
} from "@hookgate/testing";
import { SingleBar } from "cli-progress";
import { formatCount, formatMs, type LatencySummary, runPool, summarize } from "../internal/stats.js";
import { asTerminal, type CliIO, ExitCode, painter } from "../io.js";

/** Options of `hookgate demo`. */
export interface DemoOptions {
  /** Deliveries in the burst. @default 1000 */
  burst?: number;
  /** Burst requests in flight at once. @default 50 */
  concurrency?: number;
}

/** One scripted step of the demo, with what was expected and what happened. */
export interface DemoRow {
  label: string;
  /** Expected answer, e.g. `200 handled`, `401 signature_mismatch`. */
  expected: string;
  /** The answer, in the same form (`×N` tallies for the burst). */
  got: string;
  /** Detail on the answer: the schema issue, the handler's error. */
  why: string;
  expectedHandlerCalls: number;
  handlerCalls: number;
  ok: boolean;
}

/** What the demo did. */
export interface DemoResult {
  /** 0 when every outcome was the expected one, else 1. */
  exitCode: number;
  rows: DemoRow[];
  burst: {
    count: number;
    concurrency: number;
    durationMs: number;
    throughput: number;
    latency: LatencySummary;
  };
  url: string;
}

/** The `invoice.paid` payload the demo's handler accepts. */
type InvoicePaid = StandardWebhooksInvoicePaidEvent;

/**
 * A hand-written Standard Schema (https://standardschema.dev): what zod or valibot would give,
 * with no validator dependency. Amounts are whole cents; currencies are ISO 4217 codes.
 */
const invoicePaidSchema: StandardSchemaV1<unknown, InvoicePaid> = {
  "~standard": {
    version: 1,
    vendor: "hookgate-demo",
    validate(value) {
      const data = (value as { data?: Record<string, unknown> } | null)?.data;
      const issues: StandardSchemaV1.Issue[] = [];
      if (typeof data !== "object" || data === null)
        issues.push({ message: "data must be an object", path: ["data"] });
      else {
        if (typeof data.id !== "string") issues.push({ message: "must be a string", path: ["data", "id"] });
        if (!Number.isInteger(data.amount_paid) || (data.amount_paid as number) < 0) {
          issues.push({ message: "must be whole cents", path: ["data", "amount_paid"] });
        }
        if (typeof data.currency !== "string" || !/^[a-z]{3}$/.test(data.currency)) {
          issues.push({ message: "must be a 3-letter currency code", path: ["data", "currency"] });
        }
      }
      return issues.length ? { issues } : { value: value as InvoicePaid };
    },
  },
};

function randomSecret(): string {
  return `whsec_${Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(24))).toString("base64")}`;
}

interface Answer {
  status: number;
  outcome: string;
  why: string;
  latencyMs: number;
}

async function post(
  url: string,
  request: { headers: Record<string, string>; body: string },
): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(url, { method: "POST", headers: request.headers, body: request.body });
  const text = await response.text();
  const latencyMs = performance.now() - started;
  let body: {
    status?: string;
    error?: {
      code: string;
      message: string;
      details?: { issues?: Array<{ message: string; path?: string[] }> };
    };
  } = {};
  try {
    body = JSON.parse(text);
  } catch {
    // Not hookgate's JSON answer: the status alone says what happened.
  }
  const issue = body.error?.details?.issues?.[0];
  return {
    status: response.status,
    outcome: body.error?.code ?? body.status ?? "?",
    why: issue ? `${issue.path?.join(".") ?? "payload"} ${issue.message}` : "",
    latencyMs,
  };
}

/**
 * `hookgate demo`: starts a receiver on a free localhost port (Standard Webhooks, a generated
 * secret, the default in-memory store, a schema for `invoice.paid`), sends a scripted run of
 * deliveries — valid, duplicate, tampered, wrong secret, stale, schema-invalid, unsigned, a
 * failing handler and its retry, and a burst — and prints what was accepted, rejected and why.
 */
export async function demo(options: DemoOptions, io: CliIO): Promise<DemoResult> {
  const burstCount = options.burst ?? 1000;
  const concurrency = options.concurrency ?? 50;
  const paint = painter(io.stdout, io.env);
  const secret = randomSecret();
  const scheme = schemes.standardWebhooks({ secret });
  const receiver = createReceiver({ scheme, events: { "invoice.paid": invoicePaidSchema } });

  let handlerCalls = 0;
  let lastHandlerError = "";
  const flaky = new Set<string>();
  receiver.on("invoice.paid", async (event) => {
    handlerCalls++;
    // The "flaky" customer's first delivery fails, as a database timeout would.
    if (event.payload.data.customer === "cus_flaky" && !flaky.has(event.id)) {
      flaky.add(event.id);
      throw new Error("database timeout");
    }
  });
  // What a handler threw reaches onError listeners as the cause of a handler_failed error.
  receiver.onError((error) => {
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof Error) lastHandlerError = cause.message;
  });

  const server: Server = createServer((req, res) => {
    handleNodeRequest(receiver, req).then(
      (answer) => writeNodeResponse(res, answer),
      () => {
        res.statusCode = 500;
        res.end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;

  io.stdout.write(
    `${paint.bold("hookgate demo")}\n` +
      `receiver  ${url}\n` +
      `scheme    standard-webhooks, secret ${secret.slice(0, 10)}… (generated), tolerance 300 s\n` +
      `store     memoryStore()   schema  invoice.paid (hand-written Standard Schema)\n\n`,
  );

  const rows: DemoRow[] = [];
  const sign = (payload: object | string, extra: Parameters<typeof signedFixture>[2] = {}) =>
    signedFixture(scheme, payload, { url, ...extra });

  async function step(
    label: string,
    expected: string,
    expectedHandlerCalls: number,
    request: SignedFixture,
  ): Promise<void> {
    const before = handlerCalls;
    lastHandlerError = "";
    const answer = await post(url, request);
    const calls = handlerCalls - before;
    const got = `${answer.status} ${answer.outcome}`;
    rows.push({
      label,
      expected,
      got,
      why:
        answer.why ||
        (answer.outcome === "handler_failed" ? `${lastHandlerError}; id released for the retry` : ""),
      expectedHandlerCalls,
      handlerCalls: calls,
      ok: got === expected && calls === expectedHandlerCalls,
    });
  }

  try {
    const valid = await sign(fixtures.standardWebhooks.invoicePaid());
    await step("valid invoice.paid", "200 handled", 1, valid);
    await step("same delivery again (a sender retry)", "200 duplicate", 0, valid);
    rows[rows.length - 1]!.why ||= "already handled, not run again";
    await step(
      "tampered body",
      "401 signature_mismatch",
      0,
      await sign(fixtures.standardWebhooks.invoicePaid(), { tamper: "body" }),
    );
    await step(
      "signed with the wrong secret",
      "401 signature_mismatch",
      0,
      await sign(fixtures.standardWebhooks.invoicePaid(), { secret: randomSecret() }),
    );
    await step(
      "stale timestamp (10 min old)",
      "401 timestamp_too_old",
      0,
      await sign(fixtures.standardWebhooks.invoicePaid(), { timestamp: new Date(Date.now() - 600_000) }),
    );
    const invalid = fixtures.standardWebhooks.invoicePaid();
    (invalid.data as unknown as Record<string, unknown>).amount_paid = "25.00";
    await step("schema-invalid payload", "422 schema_validation_failed", 0, await sign(invalid));
    const unsigned = await sign(fixtures.standardWebhooks.invoicePaid());
    await step("unsigned request", "400 missing_signature", 0, {
      body: unsigned.body,
      headers: { "content-type": "application/json" },
    });
    const flakyPayload = fixtures.standardWebhooks.invoicePaid({ data: { customer: "cus_flaky" } });
    const flakyId = `msg_${globalThis.crypto.randomUUID()}`;
    await step("handler throws", "500 handler_failed", 1, await sign(flakyPayload, { id: flakyId }));
    await step("sender retries it (same id)", "200 handled", 1, await sign(flakyPayload, { id: flakyId }));

    // The burst: fresh deliveries, signed up front so only the receiver and HTTP are timed.
    const requests: SignedFixture[] = [];
    for (let i = 0; i < burstCount; i++) requests.push(await sign(fixtures.standardWebhooks.invoicePaid()));
    const terminal = asTerminal(io.stderr);
    const bar = terminal
      ? new SingleBar({
          stream: terminal,
          format: "burst [{bar}] {value}/{total}",
          barsize: 30,
          clearOnComplete: true,
        })
      : undefined;
    bar?.start(burstCount, 0);
    const before = handlerCalls;
    const answers: Answer[] = [];
    const started = performance.now();
    await runPool(burstCount, concurrency, async (i) => {
      answers.push(await post(url, requests[i]!));
      bar?.increment();
    });
    const durationMs = performance.now() - started;
    bar?.stop();
    const tally = new Map<string, number>();
    for (const a of answers)
      tally.set(`${a.status} ${a.outcome}`, (tally.get(`${a.status} ${a.outcome}`) ?? 0) + 1);
    const got = [...tally].map(([key, n]) => `${key} ×${formatCount(n)}`).join(", ");
    const expected = `200 handled ×${formatCount(burstCount)}`;
    const calls = handlerCalls - before;
    rows.push({
      label: `burst of ${formatCount(burstCount)}, ${concurrency} at a time`,
      expected,
      got,
      why: "",
      expectedHandlerCalls: burstCount,
      handlerCalls: calls,
      ok: got === expected && calls === burstCount,
    });
    const latency = summarize(answers.map((a) => a.latencyMs));
    const burst = {
      count: burstCount,
      concurrency,
      durationMs,
      throughput: (burstCount / durationMs) * 1000,
      latency,
    };

    const exitCode = rows.every((row) => row.ok) ? ExitCode.Ok : ExitCode.Failed;
    io.stdout.write(renderTable(rows, paint));
    io.stdout.write(
      `\nburst     ${formatCount(burstCount)} deliveries in ${formatMs(durationMs)} · ${formatCount(burst.throughput)} req/s · latency p50 ${formatMs(latency.p50)} · p99 ${formatMs(latency.p99)}\n          (sender and receiver share this one Node process)\n`,
    );
    const failed = rows.filter((row) => !row.ok).length;
    io.stdout.write(
      failed === 0
        ? `${paint.green(`✓ all ${rows.length} outcomes as expected`)}\n`
        : `${paint.red(`✗ ${failed} of ${rows.length} outcomes unexpected`)}\n`,
    );
    return { exitCode, rows, burst, url };
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function renderTable(rows: DemoRow[], paint: ReturnType<typeof painter>): string {
  const header = ["#", "delivery", "result", "status", "why", "handler calls", "ok"];
  const cells = rows.map((row, i) => {
    const space = row.got.indexOf(" ");
    const status = row.got.slice(0, space);
    const accepted = Number(status) < 300;
    const verdict = row.ok
      ? "✓"
      : `✗ expected ${row.expected}${row.handlerCalls !== row.expectedHandlerCalls ? `, ${formatCount(row.expectedHandlerCalls)} handler calls` : ""}`;
    const why = row.got.slice(space + 1) + (row.why ? `: ${row.why}` : "");
    return {
      plain: [
        String(i + 1),
        row.label,
        accepted ? "accepted" : "rejected",
        status,
        why,
        formatCount(row.handlerCalls),
        verdict,
      ],
      accepted,
      ok: row.ok,
    };
  });
  const widths = header.map((h, c) => Math.max(h.length, ...cells.map((row) => row.plain[c]!.length)));
  const numeric = new Set([0, 5]);
  const pad = (values: string[], colour: Array<(text: string) => string> = []) =>
    values
      .map((v, c) => {
        const padded = numeric.has(c) ? v.padStart(widths[c]!) : v.padEnd(widths[c]!);
        // Colour after padding, so escape codes never shift the columns.
        return colour[c] ? colour[c]!(padded) : padded;
      })
      .join("  ")
      .trimEnd();
  const lines = [paint.bold(pad(header)), paint.dim(widths.map((w) => "─".repeat(w)).join("  "))];
  for (const row of cells) {
    const result = row.accepted ? paint.green : paint.yellow;
    const verdict = row.ok ? paint.green : paint.red;
    lines.push(
      pad(
        row.plain,
        [undefined!, undefined!, result, result, undefined!, undefined!, verdict].map(
          (f) => f ?? ((t: string) => t),
        ),
      ),
    );
  }
  return `${lines.join("\n")}\n`;
}
