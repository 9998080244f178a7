/**
 * A fixed amount of work for `valgrind --tool=callgrind` (or `node --cpu-prof`): `N` verify + parse
 * of one scheme at one body size, or the same number of the hand-written limit. Instruction counts
 * are close to deterministic where CPU times on a shared machine are not. Per delivery is the
 * difference of two runs (N = 13000 minus N = 3000, over 10000), which nets out start-up and most
 * JIT compilation; run node with `--single-threaded` so compiler and GC threads do not vary.
 * Compare hookgate's count minus the limit's (the overhead), not their quotient: under valgrind
 * OpenSSL runs without SHA instructions, so hashing weighs far more than it does on the CPU.
 *
 *   npx tsx bench/verify/instructions.ts <limit|standardWebhooks|stripe|github>[-sync] <bytes> <N>
 *
 * A `-sync` suffix times `scheme.verifySync` instead of `verify`.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { type Scheme, schemes, verify } from "@hookgate/core";
import { body } from "./body.js";

const SECRET = "bench_secret_8f3a9c2e7d";
const SW_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const [which = "limit", bytesArg = "1024", countArg = "10000"] = process.argv.slice(2);
const raw = body(Number(bytesArg));

const count = Number(countArg);

const make: Record<string, () => Scheme> = {
  standardWebhooks: () => schemes.standardWebhooks({ secret: SW_SECRET }),
  stripe: () => schemes.stripe({ secret: SECRET }),
  github: () => schemes.github({ secret: SECRET }),
};

async function main(): Promise<void> {
  if (which === "limit") {
    const ts = String(Math.floor(Date.now() / 1000));
    const expected = createHmac("sha256", SECRET).update(`${ts}.`).update(raw).digest();
    let sink = 0;
    for (let i = 0; i < count; i++) {
      const actual = createHmac("sha256", SECRET).update(`${ts}.`).update(raw).digest();
      if (!timingSafeEqual(actual, expected)) throw new Error("mismatch");
      sink += JSON.parse(raw.toString("utf8")).id.length;
    }
    process.stdout.write(`${which} ${sink}\n`);
    return;
  }
  const sync = which.endsWith("-sync");
  const scheme = make[which.replace(/-sync$/, "")]!();
  const headers = await scheme.sign!({ id: "msg_1", rawBody: raw, type: "issues" });
  const input = { headers, rawBody: raw };
  const options = { tolerance: Number.POSITIVE_INFINITY };
  let sink = 0;
  if (sync) for (let i = 0; i < count; i++) sink += scheme.verifySync(input, options).id.length;
  else for (let i = 0; i < count; i++) sink += (await verify(scheme, input, options)).id.length;
  process.stdout.write(`${which} ${sink}\n`);
}

await main();
