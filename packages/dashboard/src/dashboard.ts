import { type DeliveryJournal, isWebhookError, type Receiver } from "@hookgate/core";
import { checkOption, type NodeResponseLike } from "@hookgate/core/kit";
import { DASHBOARD_CSS, DASHBOARD_JS } from "./internal/assets.js";
import { authenticate, type DashboardAuth } from "./internal/authenticate.js";
import { listQueryOf, sinceOf } from "./internal/list-query.js";
import { detailPage } from "./internal/pages/detail-page.js";
import { messagePage } from "./internal/pages/layout.js";
import { listPage, listRows } from "./internal/pages/list-page.js";
import { replayAction } from "./internal/replay-action.js";
import { respond } from "./internal/respond.js";
import { routeOf } from "./internal/route-of.js";
import { type DashboardNodeRequest, serveNode } from "./internal/serve-node.js";
import { type SessionKeys, sessionKeys } from "./internal/session.js";

/** Options for {@link dashboard}. */
export interface DashboardOptions {
  /** The journal to show: any `DeliveryJournal` (memory, SQLite, PostgreSQL, your own). */
  journal: DeliveryJournal;
  /**
   * The receiver replays run through (re-verified, attempts recorded in `journal`). Without one
   * the dashboard is read-only: no replay buttons, and a replay POST answers 501.
   */
  receiver?: Pick<Receiver, "replay"> | undefined;
  /**
   * Who may see it — required, nothing is served without it (401). `{ token }`: the token as
   * `Authorization: Bearer <token>`, or once as `?token=` exchanged for an HttpOnly,
   * SameSite=Strict session cookie. Or your own check of the request (your session, your SSO).
   */
  auth: DashboardAuth;
  /**
   * The path the dashboard is mounted under (`/admin/hookgate`). @default derived from each
   * request: what precedes one of the dashboard's own paths
   */
  basePath?: string | undefined;
  /** The clock, for "last hour" filters and charts. @default () => new Date() */
  now?: (() => Date) | undefined;
}

/** A mounted dashboard: a Web `fetch` handler, and the same for Node's `(req, res)`. */
export interface Dashboard {
  /** Answers one request under the dashboard's path (Hono, Next.js route handlers, Bun, Deno, workerd). */
  fetch(request: Request): Promise<Response>;
  /** The same for Node's `(req, res)` (Express, Koa's `ctx.req/res`, `node:http`). */
  node(req: DashboardNodeRequest, res: NodeResponseLike): Promise<void>;
}

interface Settings {
  journal: DeliveryJournal;
  receiver: Pick<Receiver, "replay"> | undefined;
  auth: DashboardAuth;
  basePath: string | undefined;
  now: () => Date;
  keys: Promise<SessionKeys>;
}

function checkAuth(auth: unknown): DashboardAuth {
  if (typeof auth === "function") return auth as DashboardAuth;
  const token = (auth as { token?: unknown } | undefined)?.token;
  if (typeof auth === "object" && auth !== null && typeof token === "string" && token.length > 0) {
    return { token };
  }
  // Never echo the value: it may be a token.
  throw checkOption.fail(
    "dashboard option auth",
    auth === undefined
      ? undefined
      : typeof auth === "object"
        ? "an object without a non-empty token"
        : typeof auth,
    "{ token } or a function (request) => boolean: nothing is served without it",
  );
}

function settingsOf(options: DashboardOptions): Settings {
  checkOption.object("dashboard", options, true);
  const { journal, receiver } = options;
  if (!journal || typeof journal.list !== "function" || typeof journal.get !== "function") {
    throw checkOption.fail(
      "dashboard option journal",
      journal,
      "a DeliveryJournal (memoryJournal(), sqliteJournal(), …)",
    );
  }
  if (receiver !== undefined && (receiver === null || typeof receiver.replay !== "function")) {
    throw checkOption.fail("dashboard option receiver", receiver, "a receiver (createReceiver(…))");
  }
  const auth = checkAuth(options.auth);
  let basePath = options.basePath;
  if (basePath !== undefined) {
    if (typeof basePath !== "string" || !/^(\/[^/?#]+)*\/?$/.test(basePath)) {
      throw checkOption.fail("dashboard option basePath", basePath, 'a path such as "/admin/hookgate"');
    }
    basePath = basePath.replace(/\/$/, "");
  }
  const now = checkOption.callback("dashboard option now", options.now) ?? (() => new Date());
  const keys = sessionKeys(typeof auth === "function" ? undefined : auth.token);
  return { journal, receiver, auth, basePath, now, keys };
}

async function listResponse(settings: Settings, url: URL, base: string, csrf: string | undefined) {
  const now = settings.now();
  const query = listQueryOf(url.searchParams, now);
  const page = await settings.journal.list({ ...query.filter, limit: 50 });
  if (url.searchParams.get("fragment") === "rows") return respond(200, listRows(base, page.entries));
  // The charts cover the filter's window, at most a day (default the last hour).
  const from = new Date(
    Math.max(sinceOf(query.since, now)?.getTime() ?? now.getTime() - 3_600_000, now.getTime() - 86_400_000),
  );
  const stats = await settings.journal.stats({ since: from });
  return respond(200, listPage({ base, query, page, stats, from, to: now, csrf }));
}

async function detailResponse(settings: Settings, url: URL, base: string, csrf: string | undefined) {
  const key = url.searchParams.get("key") ?? "";
  const entry = key ? await settings.journal.get(key) : undefined;
  if (!entry)
    return respond(
      404,
      messagePage(base, "Not found", "No delivery has this key (it may have been pruned)."),
    );
  return respond(200, detailPage(base, entry, csrf));
}

/** The 401: how to get in, and for a token, the scheme to send it with. */
function signIn(base: string, auth: DashboardAuth): Response {
  return respond(
    401,
    messagePage(
      base,
      "Sign in",
      "hookgate: open the dashboard with the URL that hookgate ui printed (…/?token=…), or send Authorization: Bearer <token>.",
    ),
    typeof auth === "function" ? {} : { "www-authenticate": 'Bearer realm="hookgate"' },
  );
}

/** The stylesheet or the script, from the package (behind the same access check as the pages). */
function assetResponse(route: "/assets/dashboard.css" | "/assets/dashboard.js"): Response {
  const css = route.endsWith(".css");
  return new Response(css ? DASHBOARD_CSS : DASHBOARD_JS, {
    headers: {
      "content-type": css ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8",
      "cache-control": "private, max-age=300",
      "x-content-type-options": "nosniff",
    },
  });
}

async function answer(settings: Settings, request: Request): Promise<Response> {
  const url = new URL(request.url);
  const routed = routeOf(url, settings.basePath);
  // Adding the final slash serves nothing: it comes first, so a `?token=` link without it works.
  if (routed.kind === "slash") return respond(308, null, { location: routed.location });
  const base = routed.base;
  const keys = await settings.keys;
  const access = await authenticate(request, url, settings.auth, keys, base || "/");
  if (access.kind === "denied") return signIn(base, settings.auth);
  if (access.kind === "exchange")
    return respond(303, null, { location: access.location, "set-cookie": access.cookie });
  const withCookie = (response: Response) => {
    if (access.cookie) response.headers.set("set-cookie", access.cookie);
    return response;
  };
  if (routed.kind === "unknown")
    return withCookie(respond(404, messagePage(base, "Not found", "No such page.")));
  const { route } = routed;
  if (route === "/assets/dashboard.css" || route === "/assets/dashboard.js") {
    return withCookie(assetResponse(route));
  }
  if (route === "/replay") {
    if (request.method !== "POST") return withCookie(respond(405, null, { allow: "POST" }));
    return withCookie(
      await replayAction(request, {
        base,
        url,
        access,
        keys,
        journal: settings.journal,
        receiver: settings.receiver,
        now: settings.now,
      }),
    );
  }
  if (request.method !== "GET" && request.method !== "HEAD")
    return withCookie(respond(405, null, { allow: "GET, HEAD" }));
  const csrf =
    settings.receiver && access.session !== undefined ? await keys.csrf(access.session) : undefined;
  try {
    return withCookie(
      route === "/"
        ? await listResponse(settings, url, base, csrf)
        : await detailResponse(settings, url, base, csrf),
    );
  } catch (error) {
    if (isWebhookError(error) && error.code === "invalid_option") {
      return withCookie(respond(400, messagePage(base, "Bad request", error.message)));
    }
    throw error;
  }
}

/**
 * A deliveries dashboard over any journal: a live, filterable list, each delivery's detail,
 * charts per minute, refusals by code, and replay through your receiver. Server-rendered HTML
 * with a small script and stylesheet from the package; mount it under any path.
 *
 * @example
 * const ui = dashboard({ journal, receiver, auth: { token: process.env.HOOKGATE_UI_TOKEN! } });
 * app.use("/hookgate", ui.node);                        // Express
 * app.all("/hookgate/*", (c) => ui.fetch(c.req.raw));   // Hono
 */
export function dashboard(options: DashboardOptions): Dashboard {
  const settings = settingsOf(options);
  const fetch = (request: Request) => answer(settings, request);
  return {
    fetch,
    node: (req, res) => serveNode(fetch, req, res),
  };
}
