import type { SafeHtml } from "./html.js";

/**
 * Every answer's headers: nothing inline runs, nothing frames the page, no URL leaks to another
 * site as a referrer (`same-origin`, not `no-referrer`: with that, Chromium sends `Origin: null`
 * on the replay form, which the same-origin check must refuse).
 */
const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "same-origin",
  "cache-control": "no-store",
};

/** An answer with the dashboard's security headers. */
export function respond(
  status: number,
  body: SafeHtml | string | null,
  headers: Record<string, string> = {},
): Response {
  return new Response(body === null ? null : String(body), {
    status,
    headers: {
      ...SECURITY_HEADERS,
      ...(body === null ? {} : { "content-type": "text/html; charset=utf-8" }),
      ...headers,
    },
  });
}
