const encoder = new TextEncoder();

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** True when `a` and `b` are equal, in time that depends only on their lengths. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.byteLength ^ b.byteLength;
  for (let i = 0; i < Math.max(a.byteLength, b.byteLength); i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/**
 * The keys of one dashboard: session ids and CSRF tokens are HMACs under `key`, so neither needs
 * server-side state and a CSRF token is good only with the session it was made for.
 */
export interface SessionKeys {
  /** A new session id with its tag: the cookie's value. */
  issue(): Promise<string>;
  /** The session id in a cookie value, when its tag is ours. */
  open(cookie: string | undefined): Promise<string | undefined>;
  /** The CSRF token bound to `session`. */
  csrf(session: string): Promise<string>;
  /** True when `token` is the CSRF token of `session` (constant time). */
  checkCsrf(session: string, token: string | undefined): Promise<boolean>;
  /** True when `candidate` is the dashboard's access token (constant time); false without one. */
  checkToken(candidate: string | undefined): Promise<boolean>;
}

async function hmac(key: CryptoKey, text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(text)));
}

/**
 * The session keys for an access `token` (sessions survive a restart with the same token, and a
 * new token ends them), or for a random key when access is decided by the application's function.
 */
export async function sessionKeys(token: string | undefined): Promise<SessionKeys> {
  const material = token === undefined ? crypto.getRandomValues(new Uint8Array(32)) : encoder.encode(token);
  const key = await crypto.subtle.importKey("raw", material, { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  // The token keys its own tag, as a candidate does below: equal tags only for equal strings.
  const tokenTag = token === undefined ? undefined : await hmac(key, "access");
  const tag = async (purpose: string, session: string) => base64url(await hmac(key, `${purpose}:${session}`));
  return {
    async issue() {
      const session = base64url(crypto.getRandomValues(new Uint8Array(18)));
      return `${session}.${await tag("session", session)}`;
    },
    async open(cookie) {
      const [session, mac, extra] = (cookie ?? "").split(".");
      if (!session || !mac || extra !== undefined) return undefined;
      const ok = constantTimeEqual(encoder.encode(await tag("session", session)), encoder.encode(mac));
      return ok ? session : undefined;
    },
    csrf: (session) => tag("csrf", session),
    async checkCsrf(session, candidate) {
      if (!candidate) return false;
      return constantTimeEqual(encoder.encode(await tag("csrf", session)), encoder.encode(candidate));
    },
    async checkToken(candidate) {
      if (tokenTag === undefined || !candidate) return false;
      // Both sides through an HMAC keyed by themselves: equal-length tags, compared in constant time.
      return constantTimeEqual(tokenTag, await hmacUnder(candidate));
    },
  };

  async function hmacUnder(candidate: string): Promise<Uint8Array> {
    const other = await crypto.subtle.importKey(
      "raw",
      encoder.encode(candidate),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    return hmac(other, "access");
  }
}
