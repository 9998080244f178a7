import { WebhookError } from "../errors.js";
import { decodeUtf8, fromBase64 } from "../internal/bytes.js";
import { certificateSpki, type RsaKey } from "../internal/crypto.js";

/**
 * Where a scheme's verifying key comes from when the sender signs with a certificate it names
 * in the request (AWS SNS `SigningCertURL`, PayPal `paypal-cert-url`): the URL is unsigned, so
 * only URLs on the provider's hosts and paths are fetched, each spelling of one certificate is one
 * cache entry, and what an unsigned request can make hookgate fetch is bounded (issue 18 holes 13–15).
 */
export interface CertificateSourceSpec {
  /** Who signs, for messages: `"SNS"`, `"PayPal"`. */
  provider: string;
  /** What the URL is called, for messages: `"SigningCertURL"`, `"paypal-cert-url"`. */
  urlName: string;
  /** Hosts a certificate URL may name (https only; no user, port, query or fragment). */
  host: RegExp;
  /** Paths a certificate URL may name. */
  path: RegExp;
  /** The URL's form, for messages: `https://sns.<region>.amazonaws.com/SimpleNotificationService-<id>.pem`. */
  form: string;
  /** Largest certificate (PEM) read. @default 16 KiB */
  maxBytes?: number;
  /**
   * Fetches a certificate (PEM) by its canonical URL, given 5 s (then `signal` aborts). A rejection
   * is remembered for 10 minutes and answered 401; one whose `transient` is `true` (a timeout, a
   * 5xx) is answered 503 so the sender retries, remembered for 30 s.
   * @default fetch over https, no redirects, 5 s, `maxBytes`
   */
  fetch?: ((url: string, init: { signal: AbortSignal }) => Promise<string>) | undefined;
}

/** The keys a certificate source gives: looked up by canonical URL, kept once they verified a request. */
export interface CertificateKeys {
  /** The URL in its one canonical form, or a refusal (401) naming why it is not fetched. */
  canonical(value: unknown): string;
  /** The certificate's key, fetched within the bounds, or a refusal (401, or 503 when transient). */
  keyFor(url: string): Promise<RsaKey>;
  /** Keeps a certificate that verified a request (most recently used last). */
  prove(url: string, key: RsaKey): void;
}

const MAX_CERTIFICATES = 32;
/** What an unsigned request can make hookgate do to fetch a certificate. */
const BOUNDS = {
  timeoutMs: 5_000,
  maxBytes: 16 * 1024,
  // New certificate URLs fetched per window: providers sign with one certificate for months.
  budget: 10,
  windowMs: 60_000,
  // How long a failed URL is answered from memory: transient failures briefly, others for longer.
  transientMs: 30_000,
  refusedMs: 600_000,
  maxPending: 16,
  maxFailed: 256,
} as const;

const mismatch = (message: string) => new WebhookError("signature_mismatch", `hookgate: ${message}`);

/** Why a certificate could not be had; `transient` failures (timeouts, 5xx) are worth a retry. */
class CertificateFailure extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Evicts a map's oldest entries (insertion order) down to `max` − 1, before one more is added. */
function makeRoom<K, V>(map: Map<K, V>, max: number): void {
  while (map.size >= max) map.delete(map.keys().next().value!);
}

function pemToDer(pem: string): Uint8Array | undefined {
  const match = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem);
  return match ? fromBase64(match[1]!.replace(/\s+/g, "")) : undefined;
}

/** `value` as an https URL on an allowed host (no port), or undefined. */
export function allowedHostUrl(value: unknown, host: RegExp): string | undefined {
  let url: URL | undefined;
  try {
    url = typeof value === "string" ? new URL(value) : undefined;
  } catch {}
  return url?.protocol === "https:" && host.test(url.hostname) && url.port === "" ? url.href : undefined;
}

/**
 * The certificate keys of one scheme instance. What a request whose certificate cannot be had is
 * answered: 503 (+ Retry-After, so the sender retries) only when fetching an allowed URL failed
 * for a transient reason — a timeout, a 429 or 5xx — which a sender cannot cause at will on the
 * provider's hosts, and which is then answered from memory for 30 s; otherwise 401
 * (`signature_mismatch`): a URL off the provider's certificate paths, a certificate that is
 * missing, too large, redirected or not one, or a new URL once 10 were fetched in the last minute.
 */
export function certificateKeys(spec: CertificateSourceSpec): CertificateKeys {
  const maxBytes = spec.maxBytes ?? BOUNDS.maxBytes;
  const fetchPem =
    spec.fetch ?? ((url: string, init: { signal: AbortSignal }) => fetchPemOver(url, init, maxBytes));
  const what = `the ${spec.provider} signing certificate`;
  // Certificates that verified a request: only a genuine one adds one, so unsigned ones cannot
  // evict them. Fetched (or in flight) but not yet proven: one fetch per URL at a time. URLs that
  // failed, with until when. The times of recent fetches: at most `budget` per window.
  const proven = new Map<string, RsaKey>();
  const pending = new Map<string, Promise<RsaKey>>();
  const failed = new Map<string, { until: number; failure: CertificateFailure }>();
  const fetchTimes: number[] = [];

  function refusal(url: string, failure: CertificateFailure): WebhookError {
    if (failure.transient) {
      // Answered with Retry-After like every 503 (see `retryAfterSeconds`).
      return new WebhookError(
        "internal_error",
        `hookgate: could not fetch ${what} ${url} (${failure.message}); answered 503 so ${spec.provider} retries`,
        { status: 503, cause: failure },
      );
    }
    return mismatch(
      `${what} ${url} cannot be used (${failure.message}), so the request cannot be verified; refused`,
    );
  }

  async function load(url: string): Promise<RsaKey> {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new CertificateFailure(`timed out after ${BOUNDS.timeoutMs} ms`, true));
      }, BOUNDS.timeoutMs);
    });
    let pem: unknown;
    try {
      pem = await Promise.race([fetchPem(url, { signal: controller.signal }), timeout]);
    } catch (cause) {
      if (cause instanceof CertificateFailure) throw cause;
      const transient = (cause as { transient?: unknown } | null)?.transient === true;
      throw new CertificateFailure(cause instanceof Error ? cause.message : String(cause), transient, {
        cause,
      });
    } finally {
      clearTimeout(timer);
    }
    if (typeof pem !== "string" || pem.length > maxBytes) {
      throw new CertificateFailure(`not a PEM certificate of at most ${maxBytes / 1024} KiB`, false);
    }
    const der = pemToDer(pem);
    const spki = der && certificateSpki(der);
    if (!spki) throw new CertificateFailure("not a PEM X.509 certificate", false);
    return { kind: "rsa", spki };
  }

  return {
    canonical: (value) => canonicalCertificateUrl(spec, value),
    keyFor(url) {
      const known = proven.get(url);
      if (known) return Promise.resolve(known);
      const now = Date.now();
      const failure = failed.get(url);
      if (failure && failure.until > now) return Promise.reject(refusal(url, failure.failure));
      if (failure) failed.delete(url);
      let key = pending.get(url);
      if (!key) {
        while (fetchTimes.length > 0 && fetchTimes[0]! <= now - BOUNDS.windowMs) fetchTimes.shift();
        if (fetchTimes.length >= BOUNDS.budget) {
          return Promise.reject(
            mismatch(
              `the ${spec.provider} ${spec.urlName} ${url} names a certificate not fetched yet, and ${BOUNDS.budget} were fetched in the last minute; refused unfetched (${spec.provider} signs with one certificate for months: this stops a flood of requests naming new ones)`,
            ),
          );
        }
        fetchTimes.push(now);
        const loading = load(url);
        key = loading;
        makeRoom(pending, BOUNDS.maxPending);
        pending.set(url, loading);
        loading.catch((cause: CertificateFailure) => {
          if (pending.get(url) === loading) pending.delete(url);
          makeRoom(failed, BOUNDS.maxFailed);
          const ttl = cause.transient ? BOUNDS.transientMs : BOUNDS.refusedMs;
          failed.set(url, { until: Date.now() + ttl, failure: cause });
        });
      }
      return key.catch((cause: CertificateFailure) => {
        throw refusal(url, cause);
      });
    },
    prove(url, key) {
      pending.delete(url);
      proven.delete(url);
      makeRoom(proven, MAX_CERTIFICATES);
      proven.set(url, key);
    },
  };
}

/**
 * A certificate URL in its one canonical form (`https://<host><path>`, host lower-cased, dot
 * segments resolved), or a refusal (401): https on an allowed host, no user, port, query or
 * fragment, and an allowed path. The URL is not signed, so every spelling of one certificate must
 * name one cache entry, and only the provider's own certificate files may be fetched at all.
 */
export function canonicalCertificateUrl(spec: CertificateSourceSpec, value: unknown): string {
  let url: URL | undefined;
  try {
    url = typeof value === "string" && value.length <= 2048 ? new URL(value) : undefined;
  } catch {}
  if (
    url?.protocol !== "https:" ||
    url.username !== "" ||
    url.password !== "" ||
    url.port !== "" ||
    url.search !== "" ||
    url.hash !== "" ||
    !spec.host.test(url.hostname) ||
    !spec.path.test(url.pathname)
  ) {
    throw mismatch(
      `the ${spec.provider} ${spec.urlName} ${JSON.stringify(value)} is not a ${spec.provider} certificate (${spec.form}, no user, port, query or fragment); refused unfetched`,
    );
  }
  return `https://${url.hostname}${url.pathname}`;
}

/**
 * The default certificate fetch: one https GET, no redirects, the body read up to `maxBytes`.
 * A timeout, a 429 or a 5xx is transient; anything else is final — a network error too, since a
 * sender can name a host that does not resolve (`sns.nowhere.amazonaws.com`) at will.
 */
async function fetchPemOver(url: string, init: { signal: AbortSignal }, maxBytes: number): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { redirect: "manual", signal: init.signal });
  } catch (cause) {
    throw new CertificateFailure(init.signal.aborted ? "timed out" : "network error", init.signal.aborted, {
      cause,
    });
  }
  const { status } = response;
  if (status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    if (response.type === "opaqueredirect" || (status >= 300 && status < 400)) {
      throw new CertificateFailure(`HTTP ${status}: a redirect, not followed`, false);
    }
    throw new CertificateFailure(`HTTP ${status}`, status >= 500 || status === 429);
  }
  const tooLarge = () => new CertificateFailure(`larger than ${maxBytes} bytes, not a certificate`, false);
  if (Number(response.headers.get("content-length")) > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  const reader = response.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const next = reader ? await reader.read() : undefined;
      if (!next || next.done) break;
      size += next.value.byteLength;
      if (size > maxBytes) {
        await reader!.cancel().catch(() => undefined);
        throw tooLarge();
      }
      chunks.push(next.value);
    }
  } catch (cause) {
    if (cause instanceof CertificateFailure) throw cause;
    throw new CertificateFailure(init.signal.aborted ? "timed out" : "network error", init.signal.aborted, {
      cause,
    });
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return decodeUtf8(bytes) ?? "";
}
