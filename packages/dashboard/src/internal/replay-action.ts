import { type DeliveryJournal, isWebhookError, type Receiver } from "@hookgate/core";
import type { Access } from "./authenticate.js";
import { listQueryOf } from "./list-query.js";
import { messagePage } from "./pages/layout.js";
import { dryRunPage, type ReplayRow, replayedPage } from "./pages/replay-page.js";
import { readForm } from "./read-form.js";
import { respond } from "./respond.js";
import { sameOrigin } from "./same-origin.js";
import type { SessionKeys } from "./session.js";

/** Most rows one replay (by keys or by a filter) takes, as `hookgate replay` does by default. */
export const REPLAY_LIMIT = 100;

/** What a replay POST needs from the dashboard. */
export interface ReplayContext {
  base: string;
  url: URL;
  access: Extract<Access, { kind: "allowed" }>;
  keys: SessionKeys;
  journal: DeliveryJournal;
  receiver: Pick<Receiver, "replay"> | undefined;
  now: () => Date;
}

async function keysOf(form: URLSearchParams, journal: DeliveryJournal, now: Date): Promise<string[]> {
  const named = form.getAll("key").filter(Boolean);
  if (named.length > 0) return named.slice(0, REPLAY_LIMIT);
  const query = listQueryOf(form, now);
  if (!query.active) return [];
  const out: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await journal.list({ ...query.filter, cursor, limit: REPLAY_LIMIT - out.length });
    out.push(...page.entries.map((entry) => entry.key));
    cursor = page.cursor;
  } while (cursor !== undefined && out.length < REPLAY_LIMIT);
  return out;
}

/**
 * `POST replay`: a dry run (re-verify, show what would run, offer to confirm) or the confirmed
 * replay of the rows the dry run listed, through `receiver.replay` with the dashboard's journal.
 * Refused without a receiver, from another site, or without the session's CSRF token.
 */
export async function replayAction(request: Request, context: ReplayContext): Promise<Response> {
  const { base, access, receiver, journal } = context;
  if (!receiver) {
    return respond(
      501,
      messagePage(
        base,
        "Replay is not available",
        "hookgate: this dashboard has no receiver to replay with; pass dashboard({ journal, receiver, auth }) (hookgate ui --receiver ./receiver.js).",
      ),
    );
  }
  if (!sameOrigin(request, context.url)) {
    return respond(
      403,
      messagePage(
        base,
        "Refused",
        "hookgate: a replay must come from the dashboard's own page (cross-site request refused).",
      ),
    );
  }
  const form = await readForm(request);
  if (!form)
    return respond(400, messagePage(base, "Bad request", "hookgate: a replay is a small urlencoded form."));
  // A Bearer token is no ambient credential (a page on another site cannot send it): no CSRF token needed.
  const csrfOk =
    access.bearer ||
    (access.session !== undefined &&
      (await context.keys.checkCsrf(access.session, form.get("csrf") ?? undefined)));
  if (!csrfOk) {
    return respond(
      403,
      messagePage(
        base,
        "Refused",
        "hookgate: the form's CSRF token is missing or not this session's; reload the page and try again.",
      ),
    );
  }
  const dryRun = form.get("mode") !== "confirm";
  const keys = await keysOf(form, journal, context.now());
  if (keys.length === 0) {
    return respond(
      400,
      messagePage(
        base,
        "Nothing to replay",
        "hookgate: name deliveries (key) or a filter (status, type, scheme, since); no row matched.",
      ),
    );
  }
  let results: Awaited<ReturnType<Receiver["replay"]>>;
  try {
    results = await receiver.replay(keys, { journal, dryRun });
  } catch (error) {
    const message = isWebhookError(error)
      ? error.message
      : `hookgate: the replay failed: ${(error as Error).message}`;
    return respond(500, messagePage(base, "Replay failed", message));
  }
  const rows: ReplayRow[] = results.map((result, i) => ({ key: keys[i]!, result }));
  if (!dryRun) return respond(200, replayedPage(base, rows));
  const csrf = access.session === undefined ? "" : await context.keys.csrf(access.session);
  const back =
    form.getAll("key").length === 1
      ? `${base}/delivery?key=${encodeURIComponent(keys[0]!)}`
      : `${base}/?${listQueryOf(form, context.now()).params}`;
  return respond(200, dryRunPage(base, rows, csrf, back));
}
