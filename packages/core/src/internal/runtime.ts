import type * as NodeBuffer from "node:buffer";
import type * as NodeCrypto from "node:crypto";

interface ProcessWithBuiltins {
  getBuiltinModule?: (id: string) => unknown;
}

// `process.getBuiltinModule` (Node >= 20.16, Bun, Deno) reaches node:crypto without a static
// import, so bundlers for edge runtimes never try to resolve it; elsewhere Web Crypto is used.
function builtin<T>(id: string): T | undefined {
  try {
    const proc = (globalThis as { process?: ProcessWithBuiltins }).process;
    return proc?.getBuiltinModule?.(id) as T | undefined;
  } catch {
    return undefined;
  }
}

const detected = {
  crypto: builtin<typeof NodeCrypto>("node:crypto"),
  buffer: builtin<typeof NodeBuffer>("node:buffer"),
};

/**
 * The Node built-ins hookgate uses where the runtime has them (Node, Bun, Deno), else undefined;
 * every byte and crypto helper reads them from here, so {@link forceWebRuntime} reaches them all.
 */
export const runtime: { crypto: typeof NodeCrypto | undefined; buffer: typeof NodeBuffer | undefined } = {
  ...detected,
};

/**
 * Runs as an edge runtime would, on Web Crypto, TextEncoder/TextDecoder and atob/btoa, even where
 * Node's built-ins exist. For tests of the edge path under Node; never needed in applications.
 * @internal
 */
export function forceWebRuntime(on: boolean): void {
  runtime.crypto = on ? undefined : detected.crypto;
  runtime.buffer = on ? undefined : detected.buffer;
}
