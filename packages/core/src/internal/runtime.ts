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

/** node:crypto where the runtime has it (Node, Bun, Deno), else undefined. */
export const nodeCrypto: typeof NodeCrypto | undefined = builtin<typeof NodeCrypto>("node:crypto");
/** node:buffer where the runtime has it. */
export const nodeBuffer: typeof NodeBuffer | undefined = builtin<typeof NodeBuffer>("node:buffer");
