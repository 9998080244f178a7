const ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Random characters from `alphabet` (Web Crypto, so it runs wherever the tests run). */
export function randomString(length: number, alphabet = ALPHANUMERIC): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(length));
  let out = "";
  for (const byte of bytes) out += alphabet[byte % alphabet.length];
  return out;
}

/** A provider-style id: `evt_` + 24 characters, `in_` + 24, … */
export const randomId = (prefix: string, length = 24) => `${prefix}${randomString(length)}`;

/** A random integer below 10^digits with exactly `digits` digits (Shopify, GitHub numeric ids). */
export function randomNumber(digits: number): number {
  return Number(randomString(1, "123456789") + randomString(digits - 1, "0123456789"));
}

/** A Discord snowflake for the current time, as the decimal string Discord sends. */
export function snowflake(at = Date.now()): string {
  const discordEpoch = 1_420_070_400_000n;
  return ((BigInt(at) - discordEpoch) * 4_194_304n + BigInt(randomNumber(6) % 4_194_304)).toString();
}

export const randomHex = (length: number) => randomString(length, "0123456789abcdef");

/** Unix seconds. */
export const unixSeconds = (at = Date.now()) => Math.floor(at / 1000);
