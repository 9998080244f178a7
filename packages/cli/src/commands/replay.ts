import {
  type DeliveryJournal,
  findJournalEntry,
  isWebhookError,
  type JournalEntry,
  type JournalFilter,
  type ReplayResult,
} from "@hookgate/core";
import { positiveInteger, type SchemeFlags, schemeFor } from "../internal/inputs.js";
import { openJournal, parseStatus, parseTime } from "../internal/journal-arg.js";
import { loadReceiver } from "../internal/receiver-arg.js";
import { formatMs } from "../internal/stats.js";
import { CliError, type CliIO, ExitCode, painter } from "../io.js";
import { describeNetworkError } from "./send.js";

/** Options of `hookgate replay`. */
export interface ReplayCommandOptions extends SchemeFlags {
  journal?: string;
  status?: string;
  type?: string;
  since?: string;
  until?: string;
  /** Most deliveries replayed by a filter. @default 100 */
  limit?: number | string;
  /** Verify and list, run nothing. */
  dryRun?: boolean;
  /** `--no-verify`: trust the journal's bytes (a rotated-out secret). */
  verify?: boolean;
  /** A module exporting the receiver (`export default receiver` or `export const receiver`). */
  receiver?: string;
  /** Post re-signed copies here instead. */
  to?: string;
  /** With `--to`: the test secret the app there verifies with. */
  secret?: string;
  /** With `--to`: the scheme to sign with. @default each delivery's own */
  scheme?: string;
  /** Per-request timeout with `--to`, in ms. @default 10000 */
  timeout?: number | string;
}

/** One delivery to replay: what the user named it by, and its row's key (absent when nothing matched). */
interface Selected {
  name: string;
  key: string | undefined;
}

/**
 * The rows to replay, resolved before anything runs: each argument is a key, or an id that names
 * exactly one row (an id several tenants' rows share is refused, listing their keys); or every
 * row a filter matches, up to `limit`.
 */
async function select(
  journal: DeliveryJournal,
  ids: readonly string[],
  filter: JournalFilter,
  limit: number,
): Promise<Selected[]> {
  if (ids.length > 0) {
    const out: Selected[] = [];
    for (const name of ids) {
      try {
        out.push({ name, key: (await findJournalEntry(journal, name))?.key });
      } catch (error) {
        if (isWebhookError(error) && error.code === "invalid_option") throw new CliError(error.message);
        throw error;
      }
    }
    return out;
  }
  const out: Selected[] = [];
  let cursor: string | undefined;
  do {
    const page = await journal.list({ ...filter, cursor, limit: Math.min(limit - out.length, 1000) });
    out.push(...page.entries.map((summary) => ({ name: summary.id, key: summary.key })));
    cursor = page.cursor;
  } while (cursor !== undefined && out.length < limit);
  return out;
}

/** Re-signs one stored delivery with the test secret and posts it to `--to`. */
async function postTo(
  entry: JournalEntry,
  options: ReplayCommandOptions,
  url: string,
  timeout: number,
  io: CliIO,
) {
  const scheme = await schemeFor(options.scheme ?? entry.scheme, options.secret, options, io);
  const stored = new TextDecoder().decode(entry.rawBody);
  // An enveloped delivery (`facts.envelope`) is re-signed from its event: the envelope is the scheme's to build.
  const { envelope } = scheme.facts;
  const rawBody =
    envelope === undefined ? stored : String((JSON.parse(stored) as Record<string, unknown>)[envelope] ?? "");
  const signed = await scheme.signRequest({
    id: entry.id,
    rawBody,
    url,
    type: entry.type,
    contentType: entry.headers["content-type"],
  });
  const started = performance.now();
  const response = await fetch(url, {
    method: "POST",
    headers: signed.headers,
    body: new TextDecoder().decode(signed.rawBody),
    redirect: "manual",
    signal: AbortSignal.timeout(timeout),
  });
  const body = await response.text();
  return { status: response.status, body, ms: performance.now() - started };
}

/**
 * `hookgate replay`: runs journaled deliveries again — by id, or by `--status/--type/--since` —
 * through a receiver module's handlers in this process (`--receiver`, stored bytes verified as of
 * their receipt, attempts recorded in the journal), or re-signed with a test secret and posted to
 * a local app (`--to`, the app's answer recorded as the attempt). A successful replay leaves the
 * row `handled` with its last error cleared. Exits 0 when every delivery was handled (or, with `--dry-run`, verified).
 */
export async function replay(
  ids: readonly string[],
  options: ReplayCommandOptions,
  io: CliIO,
): Promise<number> {
  if ((options.receiver === undefined) === (options.to === undefined)) {
    throw new CliError(
      "replay needs one target: --receiver ./receiver.js (handlers in-process) or --to <url> --secret <test secret>",
    );
  }
  const filter: JournalFilter = {
    status: parseStatus(options.status),
    type: options.type,
    since: parseTime("since", options.since),
    until: parseTime("until", options.until),
  };
  if (ids.length > 0 && (filter.status || filter.type || filter.since || filter.until)) {
    throw new CliError("give delivery ids or a filter (--status, --type, --since, --until), not both");
  }
  if (ids.length === 0 && !filter.status && !filter.type && !filter.since && !filter.until) {
    throw new CliError("name what to replay: delivery ids, or a filter such as --status failed --since 1h");
  }
  const limit = positiveInteger("limit", options.limit, 100);
  const timeout = positiveInteger("timeout", options.timeout, 10_000);
  let target: URL | undefined;
  if (options.to !== undefined) {
    try {
      target = new URL(options.to);
    } catch {
      throw new CliError(`--to "${options.to}" is not a URL`);
    }
    if (!options.secret)
      throw new CliError("--to needs --secret: the test secret the app there verifies with");
  }
  const receiver = options.receiver === undefined ? undefined : await loadReceiver(options.receiver, io);
  const paint = painter(io.stdout, io.env);
  const { journal, close } = await openJournal(options.journal, io);
  let ok = 0;
  let total = 0;
  try {
    const selected = await select(journal, ids, filter, limit);
    if (selected.length === 0) {
      io.stdout.write("no deliveries match\n");
      return ExitCode.Ok;
    }
    for (const { name, key } of selected) {
      total++;
      const entry = key === undefined ? undefined : await journal.get(key);
      const id = entry?.id ?? name;
      if (!entry) {
        io.stdout.write(`${paint.red("missing")}  ${name}\n`);
        continue;
      }
      if (receiver) {
        // By key: the row named, never another tenant's row with the same id.
        const [result] = await receiver.replay(entry.key, {
          journal,
          verify: options.verify !== false,
          dryRun: options.dryRun === true,
        });
        if (result!.outcome === "handled" || result!.outcome === "queued" || result!.outcome === "verified")
          ok++;
        io.stdout.write(`${resultLine(result!, paint)}\n`);
        continue;
      }
      if (options.dryRun) {
        ok++;
        io.stdout.write(`${paint.yellow("would post")}  ${id}  ${entry.type}  → ${target!.href}\n`);
        continue;
      }
      try {
        const answer = await postTo(entry, options, target!.href, timeout, io);
        if (answer.status < 300) ok++;
        // The app's answer is this attempt's outcome: a 2xx fixes the row (its last error cleared).
        await journal.update(entry.key, {
          status: answer.status < 300 ? "handled" : "failed",
          at: new Date(),
          attempt: true,
          durationMs: answer.ms,
          ...(answer.status < 300
            ? { clearError: true }
            : {
                error: {
                  code: `http_${answer.status}`,
                  message: `${target!.href} answered ${answer.status}: ${answer.body.slice(0, 200)}`,
                },
              }),
        });
        const colour = answer.status < 300 ? paint.green : paint.red;
        const body = answer.body.length > 200 ? `${answer.body.slice(0, 200)}…` : answer.body;
        io.stdout.write(
          `${colour(String(answer.status))}  ${id}  ${entry.type}  ${paint.dim(formatMs(answer.ms))}  ${body}\n`,
        );
      } catch (error) {
        if (error instanceof CliError) throw error;
        const { code, text } = describeNetworkError(error);
        io.stdout.write(`${paint.red(`ERR ${code}`)}  ${id}  ${text}\n`);
      }
    }
  } finally {
    await close();
  }
  io.stdout.write(`${ok} of ${total} ${options.dryRun ? "would replay" : "replayed"}\n`);
  return ok === total ? ExitCode.Ok : ExitCode.Failed;
}

function resultLine(result: ReplayResult, paint: ReturnType<typeof painter>): string {
  const good = result.outcome === "handled" || result.outcome === "queued" || result.outcome === "verified";
  const outcome = (good ? paint.green : paint.red)(result.outcome);
  const duration = result.durationMs === undefined ? "" : `  ${paint.dim(formatMs(result.durationMs))}`;
  const error = result.error ? `  ${result.error.code}: ${result.error.message}` : "";
  return `${outcome}  ${result.id}  ${result.type ?? ""}${duration}${error}`.trimEnd();
}
