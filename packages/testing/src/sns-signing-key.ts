/** A test signing key for AWS SNS: what `schemes.awsSns` signs with, and the certificate that verifies. */
export interface SnsTestSigningKey {
  /** The RSA private key, PEM (PKCS#8): `signingKey.privateKey`, or the CLI's `--secret` file. */
  privateKey: string;
  /** A self-signed X.509 certificate for it, PEM: what `fetchCertificate` returns for `certificateUrl`. */
  certificate: string;
  /** An SNS-looking certificate URL (`https://sns.<region>.amazonaws.com/….pem`) the receiver accepts. */
  certificateUrl: string;
}

// DER building blocks, enough for a self-signed X.509 certificate (RFC 5280 §4.1).
function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const n = parts.reduce((sum, part) => sum + part.length, 0);
  const length = n < 128 ? [n] : n < 256 ? [0x81, n] : [0x82, n >> 8, n & 255];
  const out = new Uint8Array(1 + length.length + n);
  out.set([tag, ...length]);
  let at = 1 + length.length;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
const seq = (...parts: Uint8Array[]) => tlv(0x30, ...parts);
const hex = (text: string) => Uint8Array.from(text.match(/../g)!, (byte) => Number.parseInt(byte, 16));
const ascii = (text: string) => new TextEncoder().encode(text);
// AlgorithmIdentifier sha256WithRSAEncryption, NULL parameters.
const SHA256_RSA = () => seq(hex("06092a864886f70d01010b0500"));

function pem(label: string, der: Uint8Array): string {
  const base64 = btoa(String.fromCharCode(...der));
  return `-----BEGIN ${label}-----\n${base64.replace(/(.{64})/g, "$1\n").replace(/\n$/, "")}\n-----END ${label}-----\n`;
}

const RSA = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;

/**
 * A fresh RSA key and a self-signed certificate for it, for testing AWS SNS handlers: the
 * receiver's `fetchCertificate` returns `certificate`, and a scheme given `signingKey: {
 * privateKey, certificateUrl }` signs messages the receiver accepts.
 *
 * @example
 * const key = await snsSigningKey();
 * const scheme = schemes.awsSns({
 *   topicArn: "arn:aws:sns:us-east-1:123456789012:orders",
 *   fetchCertificate: async () => key.certificate,
 *   signingKey: key,
 * });
 * const fixture = await signedFixture(scheme, { orderId: 42 }); // a signed Notification
 */
export async function snsSigningKey(options: { region?: string } = {}): Promise<SnsTestSigningKey> {
  const region = options.region ?? "us-east-1";
  const host = `sns.${region}.amazonaws.com`;
  const pair = (await globalThis.crypto.subtle.generateKey(
    { ...RSA, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  const spki = new Uint8Array(await globalThis.crypto.subtle.exportKey("spki", pair.publicKey));
  const pkcs8 = new Uint8Array(await globalThis.crypto.subtle.exportKey("pkcs8", pair.privateKey));
  // Subject and issuer: CN=<host>, the certificate's own (self-signed).
  const name = seq(tlv(0x31, seq(hex("0603550403"), tlv(0x0c, ascii(host)))));
  const validity = seq(tlv(0x17, ascii("250101000000Z")), tlv(0x17, ascii("491231235959Z")));
  const serial = globalThis.crypto.getRandomValues(new Uint8Array(8));
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  const tbs = seq(tlv(0xa0, hex("020102")), tlv(0x02, serial), SHA256_RSA(), name, validity, name, spki);
  const signature = new Uint8Array(await globalThis.crypto.subtle.sign(RSA, pair.privateKey, tbs));
  const certificate = seq(tbs, SHA256_RSA(), tlv(0x03, new Uint8Array([0]), signature));
  const id = Array.from(serial, (b) => b.toString(16).padStart(2, "0")).join("");
  return {
    privateKey: pem("PRIVATE KEY", pkcs8),
    certificate: pem("CERTIFICATE", certificate),
    certificateUrl: `https://${host}/SimpleNotificationService-hookgate-test-${id}.pem`,
  };
}
