import { type DecodedSecret, decodeSecrets, type KeyDecoder } from "../internal/secrets.js";
import type { SecretInput, SecretResolver, StaticSecrets, VerifyInput } from "../types.js";

/** Decoded per-request secrets, or the function that finds them for a request. */
export type SecretSource =
  | readonly DecodedSecret[]
  | ((input: VerifyInput) => readonly DecodedSecret[] | Promise<readonly DecodedSecret[]>);

const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze({});
/** Decoded keys kept per secret string, so a tenant's key is decoded (and imported) once. */
const MAX_DECODED = 1000;

/**
 * Static secrets are decoded once, here; a {@link SecretResolver} is called per request with the
 * unverified headers, URL and route params, and what it returns is decoded (once per distinct
 * string, in a bounded map) and tried like static secrets. The static path stays a plain array.
 */
export function secretSource(
  input: SecretInput | undefined,
  scheme: string,
  decode: KeyDecoder,
  optionName = "secret",
): SecretSource {
  if (typeof input !== "function") return decodeSecrets(input, scheme, decode, optionName);
  const resolver: SecretResolver = input;
  const decoded = new Map<string, DecodedSecret[]>();
  const toKeys = (secrets: StaticSecrets | undefined | null): readonly DecodedSecret[] => {
    // Unknown tenant (nothing, or an empty list): nothing to try, so the request fails as a mismatch.
    if (secrets === undefined || secrets === null) return [];
    const list: readonly unknown[] = Array.isArray(secrets) ? secrets : [secrets];
    if (list.length === 0) return [];
    const cacheKey = JSON.stringify(list);
    let keys = decoded.get(cacheKey);
    if (!keys) {
      keys = decodeSecrets(secrets, scheme, decode, `${optionName} (returned by the secret function)`);
      if (decoded.size >= MAX_DECODED) decoded.delete(decoded.keys().next().value!);
      decoded.set(cacheKey, keys);
    }
    return keys;
  };
  return (request) => {
    const secrets = resolver({
      headers: request.headers,
      url: request.url,
      params: request.params ?? NO_PARAMS,
    });
    return secrets instanceof Promise ? secrets.then(toKeys) : toKeys(secrets);
  };
}
