import type { Scheme } from "@hookgate/core";
import { type FixtureCatalogEntry, signedFixture, type Tamper } from "@hookgate/testing";
import { SingleBar } from "cli-progress";
import {
  findFixture,
  noteSchemeFacts,
  parseTimestamp,
  positiveInteger,
  readData,
  type SchemeFlags,
  schemeFor,
  typeFor,
} from "../internal/inputs.js";
import {
  REUSE_SIGNED_AT_MS,
  recallSent,
  rememberSent,
  sentDeliveriesDir,
} from "../internal/sent-deliveries.js";
import { formatCount, formatMs, type LatencySummary, runPool, summarize } from "../internal/stats.js";
import { asTerminal, CliError, type CliIO, ExitCode, painter } from "../io.js";

/** Options of `hookgate send`; the {@link SchemeFlags} configure schemes beyond their secret. */
export interface SendOptions extends SchemeFlags {
  /** The scheme; defaults to the fixture's provider. */
  scheme?: string;
  secret?: string;
  /** A built-in payload, `provider.event` (`stripe.invoicePaid`, `github.pull_request.opened`); fresh ids per request. */
  fixture?: string;
  /** A payload file, sent byte for byte; `-` reads it from stdin. */
  data?: string;
  /** Requests to send. @default 1 */
  repeat?: number | string;
  /** Requests in flight at once. @default 10 */
  concurrency?: number | string;
  /**
   * The delivery id. Every request carrying it is the same delivery — same payload and signing
   * time — so the receiver answers `duplicate` after the first, for every scheme; a later `send`
   * with the same id re-sends it (remembered under `$HOOKGATE_CACHE_DIR`, by default `~/.cache/hookgate`).
   */
  id?: string;
  timestamp?: string;
  type?: string;
  /** Spoil each request after signing: `body` or `signature`. */
  tamper?: string;
  /** Per-request timeout in ms. @default 10000 */
  timeout?: number | string;
  /** Print one line per request when repeating. */
  verbose?: boolean;
}

/** One request's outcome. */
export interface SendResult {
  /** The HTTP status, or undefined when the request failed before an answer. */
  status?: number;
  /** Why there was no answer (network errors only). */
  error?: string;
  /** `handled`, `duplicate`, `queued`, an error code such as `signature_mismatch`, or a network error. */
  outcome: string;
  latencyMs: number;
  body?: string;
}

/** What `send` did, for callers and tests. */
export interface SendReport {
  exitCode: number;
  results: SendResult[];
  latency: LatencySummary;
  durationMs: number;
}

const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "DNS lookup failed",
  ECONNRESET: "connection reset",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ETIMEDOUT: "connection timed out",
  UND_ERR_CONNECT_TIMEOUT: "connection timed out",
  UND_ERR_SOCKET: "socket closed",
  CERT_HAS_EXPIRED: "TLS certificate expired",
  DEPTH_ZERO_SELF_SIGNED_CERT: "self-signed TLS certificate",
};

/** Why a fetch failed, in words: Node's fetch hides the cause behind "fetch failed". */
export function describeNetworkError(error: unknown): { code: string; text: string } {
  const err = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err.name === "TimeoutError") return { code: "TIMEOUT", text: "no answer before --timeout" };
  const code = err.cause?.code ?? "FETCH_FAILED";
  return { code, text: NETWORK_ERRORS[code] ?? err.cause?.message ?? err.message ?? String(error) };
}

function outcomeOf(status: number, text: string): string {
  try {
    const body = JSON.parse(text) as { status?: unknown; error?: { code?: unknown } };
    if (typeof body.error?.code === "string") return body.error.code;
    if (typeof body.status === "string") return body.status;
  } catch {
    // Not a hookgate receiver's JSON: the status line says enough.
  }
  return status < 400 ? "ok" : "error";
}

/**
 * `hookgate send`: signs and POSTs deliveries to a receiver, printing each answer; with
 * `--repeat N` a progress bar (on a terminal), the answers tallied, and a latency summary.
 * Exits 0 when every answer was 2xx.
 */
export async function send(url: string | undefined, options: SendOptions, io: CliIO): Promise<SendReport> {
  if (!url)
    throw new CliError("send needs the receiver's URL: hookgate send http://localhost:3000/webhooks …");
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new CliError(`"${url}" is not a URL; give the full address, e.g. http://localhost:3000/webhooks`);
  }
  if (target.protocol !== "http:" && target.protocol !== "https:") {
    throw new CliError(`"${url}" is not an http(s) URL`);
  }
  if ((options.fixture === undefined) === (options.data === undefined)) {
    throw new CliError("send needs a payload: --fixture <provider.event> or --data <file> (one of them)");
  }
  const fixture = options.fixture === undefined ? undefined : findFixture(options.fixture);
  const scheme = await schemeFor(options.scheme ?? fixture?.scheme, options.secret, options, io);
  const data = options.data === undefined ? undefined : await readData(options.data, io);
  const type = data === undefined ? options.type : typeFor(scheme, options.type, io);
  noteSchemeFacts(scheme, data, options, io);
  const repeat = positiveInteger("repeat", options.repeat, 1);
  const concurrency = positiveInteger("concurrency", options.concurrency, 10);
  const timeout = positiveInteger("timeout", options.timeout, 10_000);
  const timestamp = parseTimestamp(options.timestamp);
  if (options.tamper !== undefined && options.tamper !== "body" && options.tamper !== "signature") {
    throw new CliError(`--tamper is "body" or "signature", not "${options.tamper}"`);
  }
  const href = target.href;

  // --id names one delivery: every request of this run, and a later `send` with the same id,
  // carries the same signed content, as a provider's retry does (see sameDelivery).
  const same =
    options.id === undefined ? undefined : await sameDelivery(scheme, options.id, fixture, timestamp, io);

  // Sign everything first: the timings below are the receiver's, not the signing's.
  const requests: Array<{ headers: Record<string, string>; body: string }> = [];
  for (let i = 0; i < repeat; i++) {
    if (same && i > 0) {
      requests.push(requests[0]!);
      continue;
    }
    const signedAt = same?.signedAt ?? timestamp;
    const signType = type ?? (fixture && scheme.facts.envelope === undefined ? fixture.type : undefined);
    try {
      requests.push(
        await signedFixture(scheme, same?.payload ?? (fixture ? fixture.create() : data!), {
          url: href,
          ...(options.id !== undefined ? { id: options.id } : {}),
          ...(signedAt ? { timestamp: signedAt } : {}),
          ...(signType !== undefined ? { type: signType } : {}),
          ...(options.tamper ? { tamper: options.tamper as Tamper } : {}),
        }),
      );
    } catch (error) {
      throw new CliError((error as Error).message);
    }
  }

  const paint = painter(io.stdout, io.env);
  const terminal = repeat > 1 ? asTerminal(io.stderr) : undefined;
  const bar = terminal
    ? new SingleBar({
        stream: terminal,
        format: "sending [{bar}] {value}/{total} · {eta}s left",
        barsize: 30,
        hideCursor: true,
        clearOnComplete: true,
      })
    : undefined;
  bar?.start(repeat, 0);

  const results: SendResult[] = new Array(repeat);
  let networkError: { code: string; text: string } | undefined;
  const started = performance.now();
  await runPool(
    repeat,
    concurrency,
    async (i) => {
      const request = requests[i]!;
      const t0 = performance.now();
      try {
        // A webhook sender never follows redirects: a 3xx is the answer, reported as a failure.
        const response = await fetch(href, {
          method: "POST",
          headers: request.headers,
          body: request.body,
          redirect: "manual",
          signal: AbortSignal.timeout(timeout),
        });
        const text = await response.text();
        const location = response.headers.get("location");
        results[i] = {
          status: response.status,
          outcome:
            response.status >= 300 && response.status < 400
              ? `redirect${location ? ` to ${location} (not followed)` : " (not followed)"}`
              : outcomeOf(response.status, text),
          latencyMs: performance.now() - t0,
          body: text,
        };
      } catch (error) {
        networkError ??= describeNetworkError(error);
        const { code, text } = describeNetworkError(error);
        results[i] = { outcome: code, error: text, latencyMs: performance.now() - t0 };
      }
      bar?.increment();
      if (repeat === 1 || options.verbose) io.stdout.write(`${line(i, results[i]!, repeat, paint)}\n`);
    },
    // A receiver that cannot be reached will not be reached 1,000 times either.
    () => networkError !== undefined,
  );
  bar?.stop();
  const durationMs = performance.now() - started;
  const done = results.filter(Boolean);
  const latency = summarize(done.filter((r) => r.status !== undefined).map((r) => r.latencyMs));

  if (repeat > 1) {
    const tally = new Map<string, number>();
    for (const r of done) {
      const key = r.status === undefined ? `ERR ${r.outcome}` : `${r.status} ${r.outcome}`;
      tally.set(key, (tally.get(key) ?? 0) + 1);
    }
    io.stdout.write(`${formatCount(done.length)} of ${formatCount(repeat)} sent to ${href}\n`);
    for (const [key, count] of [...tally].sort((a, b) => b[1] - a[1])) {
      const colour = key.startsWith("2") ? paint.green : paint.red;
      io.stdout.write(`  ${colour(key.padEnd(32))} ×${formatCount(count)}\n`);
    }
    if (latency.count > 0) {
      io.stdout.write(
        `latency  min ${formatMs(latency.min)} · p50 ${formatMs(latency.p50)} · p90 ${formatMs(latency.p90)} · p99 ${formatMs(latency.p99)} · max ${formatMs(latency.max)}\n` +
          `throughput  ${formatCount((latency.count / durationMs) * 1000)} req/s (${formatMs(durationMs)} total, concurrency ${Math.min(concurrency, repeat)})\n`,
      );
    }
  }
  if (networkError) {
    io.stderr.write(
      `hookgate: cannot reach ${href}: ${networkError.text} (${networkError.code})${networkError.code === "ECONNREFUSED" ? ". Is the receiver running on that port?" : ""}\n`,
    );
  }
  const allOk = done.length === repeat && done.every((r) => r.status !== undefined && r.status < 300);
  return { exitCode: allOk ? ExitCode.Ok : ExitCode.Failed, results: done, latency, durationMs };
}

/**
 * What `send --id` signs: the payload and signing time it signed the first time, so the receiver
 * sees the same delivery again — whatever its scheme keys on (a signed id; or, where the id header
 * is unsigned, the signed time and body). A fixture's payload is kept for as long as the cache is;
 * the signing time for {@link REUSE_SIGNED_AT_MS} (then it is signed afresh, with a note where that
 * makes a new delivery). An explicit `--timestamp` wins.
 */
async function sameDelivery(
  scheme: Scheme,
  id: string,
  fixture: FixtureCatalogEntry | undefined,
  timestamp: Date | undefined,
  io: CliIO,
  now = Date.now(),
): Promise<{ payload?: object; signedAt: Date }> {
  const dir = sentDeliveriesDir(io.env);
  const parts = [scheme.name, id, fixture ? `${fixture.provider}.${fixture.name}` : "--data"];
  const before = await recallSent(dir, parts);
  let signedAt = timestamp;
  if (!signedAt && before && now - before.signedAt < REUSE_SIGNED_AT_MS) signedAt = new Date(before.signedAt);
  if (!signedAt) {
    signedAt = new Date(now);
    const { facts } = scheme;
    if (before && facts.timestamp && !facts.idSigned && !scheme.split) {
      io.stderr.write(
        `hookgate: note: ${scheme.name} identifies a delivery by its signed time and body, and --id ${id} was first sent more than ${REUSE_SIGNED_AT_MS / 60_000} minutes ago (past a receiver's default tolerance): this one is signed now, so the receiver sees a new delivery\n`,
      );
    }
  }
  const payload = fixture ? ((before?.payload as object | undefined) ?? fixture.create()) : undefined;
  await rememberSent(dir, parts, { ...(payload ? { payload } : {}), signedAt: signedAt.getTime() });
  return { ...(payload ? { payload } : {}), signedAt };
}

function line(i: number, r: SendResult, repeat: number, paint: ReturnType<typeof painter>): string {
  const prefix = repeat > 1 ? `#${i + 1} ` : "";
  if (r.status === undefined) return `${prefix}${paint.red(`ERR ${r.outcome}`)}  ${r.error ?? ""}`.trimEnd();
  const colour = r.status < 300 ? paint.green : paint.red;
  const body = (r.body ?? "").length > 300 ? `${r.body!.slice(0, 300)}…` : (r.body ?? "");
  // One request's time includes opening the connection; --repeat reuses connections.
  const latency = repeat > 1 ? formatMs(r.latencyMs) : `${formatMs(r.latencyMs)} incl. connection set-up`;
  return `${prefix}${colour(`${r.status} ${r.outcome}`)}  ${paint.dim(latency)}  ${body}`;
}
