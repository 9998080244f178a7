/**
 * True unless the browser says the request came from another site: `Sec-Fetch-Site` other than
 * `same-origin` (or `none`, the user's own navigation), or an `Origin` that is not this host.
 * Clients that send neither (curl with a Bearer token) are not browsers and are not refused here.
 */
export function sameOrigin(request: Request, url: URL): boolean {
  const site = request.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin" && site !== "none") return false;
  const origin = request.headers.get("origin");
  if (origin === null) return true;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return false; // "null": a sandboxed frame or a privacy-stripped origin
  }
  return host === url.host || host === request.headers.get("host");
}
