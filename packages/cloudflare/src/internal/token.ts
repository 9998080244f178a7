/** A fresh lease token (Web Crypto: every Workers runtime has it). */
export function newToken(): string {
  return crypto.randomUUID();
}
