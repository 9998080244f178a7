import { normalizedPath } from "./route-of.js";
import type { SessionKeys } from "./session.js";

/** The cookie that carries a dashboard session. */
export const SESSION_COOKIE = "hookgate_dashboard";

/** Who may open the dashboard: `{ token }` (Bearer, or `?token=` once, then a cookie), or your own check of the request. */
export type DashboardAuth = { token: string } | ((request: Request) => boolean | Promise<boolean>);

/** Who a request is, as far as the dashboard is concerned. */
export type Access =
  | { kind: "denied" }
  /** A valid `?token=`: set the session cookie and send the browser to the URL without it. */
  | { kind: "exchange"; location: string; cookie: string }
  /**
   * Allowed. `session` is the cookie's session (CSRF tokens are bound to it); `bearer` says the
   * request carried the token itself in `Authorization`, which a cross-site page cannot send.
   */
  | { kind: "allowed"; session: string | undefined; bearer: boolean; cookie?: string | undefined };

/** The value of one cookie in a `Cookie` header. */
export function cookieValue(header: string | null, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const at = part.indexOf("=");
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/** The session cookie, `HttpOnly` and `SameSite=Strict`, scoped to the dashboard's path. */
export function sessionCookie(value: string, path: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=${path}; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`;
}

function bearerOf(request: Request): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "");
  return match?.[1];
}

/**
 * Decides access the way Jupyter does for a token: `Authorization: Bearer <token>`, or the
 * session cookie that a one-time `?token=` was exchanged for. With an access function, the
 * application decides, and the cookie only carries the session CSRF tokens are bound to.
 */
export async function authenticate(
  request: Request,
  url: URL,
  auth: DashboardAuth,
  keys: SessionKeys,
  cookiePath: string,
): Promise<Access> {
  const secure = url.protocol === "https:";
  const session = await keys.open(cookieValue(request.headers.get("cookie"), SESSION_COOKIE));
  if (typeof auth === "function") {
    if (!(await auth(request.method === "GET" ? request : request.clone()))) return { kind: "denied" };
    if (session) return { kind: "allowed", session, bearer: false };
    const cookie = await keys.issue();
    return {
      kind: "allowed",
      session: (await keys.open(cookie))!,
      bearer: false,
      cookie: sessionCookie(cookie, cookiePath, secure),
    };
  }
  const queryToken = url.searchParams.get("token");
  if (queryToken !== null) {
    if (request.method !== "GET" || !(await keys.checkToken(queryToken))) return { kind: "denied" };
    const rest = new URL(url);
    rest.searchParams.delete("token");
    return {
      kind: "exchange",
      location: `${normalizedPath(rest)}${rest.search}`,
      cookie: sessionCookie(await keys.issue(), cookiePath, secure),
    };
  }
  if (await keys.checkToken(bearerOf(request))) return { kind: "allowed", session, bearer: true };
  if (session) return { kind: "allowed", session, bearer: false };
  return { kind: "denied" };
}
