import { memoryStore } from "@hookgate/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

// memoryStore's bookkeeping (keys in reused slots, eviction orders of slot numbers) against a
// model that keeps one plain record per key and scans for what to evict: any sequence of claims,
// completions, extensions, releases, bindings and watermarks, with the clock moving, gives the
// same answers, the same refusals and the same size. The rules the model writes out are the
// store's documented ones: expired leases go first (oldest write first, stopping at a live one),
// then the oldest last write among completed keys, bindings and watermarks; never a live lease.
const RUNS = process.env.CI ? 5_000 : Number(process.env.HOOKGATE_PROPERTY_RUNS ?? 1_000);
const SEED = process.env.HOOKGATE_PROPERTY_SEED ? Number(process.env.HOOKGATE_PROPERTY_SEED) : undefined;

interface Kept {
  kind: "claim" | "binding" | "watermark";
  /** A lease's token; undefined once completed. */
  token?: string | undefined;
  value?: string;
  at?: number;
  expiresAt: number;
  seq: number;
}

class Model {
  readonly tables = {
    claim: new Map<string, Kept>(),
    binding: new Map<string, Kept>(),
    watermark: new Map<string, Kept>(),
  };
  seq = 0;
  constructor(readonly maxKeys: number) {}

  get size(): number {
    return this.tables.claim.size + this.tables.binding.size + this.tables.watermark.size;
  }

  makeRoom(at: number): void {
    if (this.size < this.maxKeys) return;
    const leases = [...this.tables.claim].filter(([, kept]) => kept.token !== undefined);
    leases.sort((a, b) => a[1].seq - b[1].seq);
    for (const [key, lease] of leases) {
      if (this.size < this.maxKeys || lease.expiresAt > at) break;
      this.tables.claim.delete(key);
    }
    while (this.size >= this.maxKeys) {
      let oldest: [Map<string, Kept>, string, number] | undefined;
      for (const table of Object.values(this.tables))
        for (const [key, kept] of table)
          if ((kept.kind !== "claim" || kept.token === undefined) && (!oldest || kept.seq < oldest[2]))
            oldest = [table, key, kept.seq];
      if (!oldest) break;
      oldest[0].delete(oldest[1]);
    }
    if (this.size >= this.maxKeys) throw Object.assign(new Error("full"), { code: "store_unavailable" });
  }

  /** Writes `key` anew in a binding's or watermark's table, dropping what it held, after making room. */
  replace(kind: "binding" | "watermark", key: string, kept: Omit<Kept, "kind" | "seq">, at: number): void {
    this.tables[kind].delete(key);
    this.makeRoom(at);
    this.tables[kind].set(key, { ...kept, kind, seq: ++this.seq });
  }

  holds(kept: Kept | undefined, token: string, at: number): boolean {
    if (!kept) return true;
    if (kept.token === undefined) return kept.expiresAt <= at;
    return kept.token === token || kept.expiresAt <= at;
  }
}

type Op =
  | { op: "claim"; key: number; lockMs: number }
  | { op: "complete" | "extend"; key: number; token: number; ms: number }
  | { op: "release"; key: number; token: number }
  | { op: "bind"; key: number; value: string; ttlMs: number; refresh: boolean }
  | { op: "watermark"; key: number }
  | { op: "advance"; key: number; at: number; ttlMs: number }
  | { op: "tick"; ms: number };

const ms = fc.integer({ min: 1, max: 20 });
/** Operations on keys `k0`…`k{keys - 1}`. */
const operations = (keys: number): fc.Arbitrary<Op> => {
  const key = fc.integer({ min: 0, max: keys - 1 });
  return fc.oneof(
    { arbitrary: fc.record({ op: fc.constant("claim" as const), key, lockMs: ms }), weight: 4 },
    {
      arbitrary: fc.record({
        op: fc.constantFrom("complete" as const, "extend" as const),
        key,
        token: fc.nat(20),
        ms,
      }),
      weight: 4,
    },
    { arbitrary: fc.record({ op: fc.constant("release" as const), key, token: fc.nat(20) }), weight: 1 },
    {
      arbitrary: fc.record({
        op: fc.constant("bind" as const),
        key,
        value: fc.constantFrom("a", "b"),
        ttlMs: ms,
        refresh: fc.boolean(),
      }),
      weight: 2,
    },
    { arbitrary: fc.record({ op: fc.constant("watermark" as const), key }), weight: 1 },
    {
      arbitrary: fc.record({
        op: fc.constant("advance" as const),
        key,
        at: fc.integer({ min: 0, max: 100 }),
        ttlMs: ms,
      }),
      weight: 2,
    },
    {
      arbitrary: fc.record({ op: fc.constant("tick" as const), ms: fc.integer({ min: 1, max: 30 }) }),
      weight: 3,
    },
  );
};

/** What an operation answered, or the code it was refused with. */
async function outcome(answer: () => Promise<unknown> | unknown): Promise<unknown> {
  try {
    return await answer();
  } catch (error) {
    return { refused: (error as { code?: string }).code };
  }
}

/** Runs `ops` on a store and on the model, and expects the same answers and size after each. */
async function run(maxKeys: number, ops: Op[]): Promise<void> {
  let now = 0;
  const store = memoryStore({ maxKeys, now: () => now });
  const model = new Model(maxKeys);
  // Tokens the store handed out, so an operation can name an earlier lease (or a stale one).
  const tokens: string[] = ["never-issued"];
  for (const step of ops) {
    const name = `k${"key" in step ? step.key : 0}`;
    let actual: unknown;
    let expected: unknown;
    switch (step.op) {
      case "tick":
        now += step.ms;
        continue;
      case "claim": {
        actual = await outcome(() => store.claim(name, { lockMs: step.lockMs, ttlMs: step.lockMs }));
        expected = await outcome(() => {
          const kept = model.tables.claim.get(name);
          if (kept && kept.expiresAt > now)
            return { status: kept.token === undefined ? "completed" : "in-flight" };
          if (kept && model.size >= maxKeys) model.tables.claim.delete(name);
          model.makeRoom(now);
          return { status: "claimed" };
        });
        const claimed = actual as { status?: string; token?: string };
        if (claimed.status === "claimed" && (expected as { status?: string }).status === "claimed") {
          tokens.push(claimed.token!);
          model.tables.claim.set(name, {
            kind: "claim",
            token: claimed.token,
            expiresAt: now + step.lockMs,
            seq: ++model.seq,
          });
          actual = { status: "claimed" };
        }
        break;
      }
      case "complete":
      case "extend": {
        const token = tokens[step.token % tokens.length]!;
        actual = await outcome(() =>
          step.op === "complete"
            ? store.complete(name, token, { ttlMs: step.ms })
            : store.extend(name, token, { lockMs: step.ms }),
        );
        expected = await outcome(() => {
          const kept = model.tables.claim.get(name);
          if (!model.holds(kept, token, now)) return false;
          if (!kept) model.makeRoom(now);
          model.tables.claim.set(name, {
            kind: "claim",
            token: step.op === "complete" ? undefined : token,
            expiresAt: now + step.ms,
            seq: ++model.seq,
          });
          return true;
        });
        break;
      }
      case "release": {
        const token = tokens[step.token % tokens.length]!;
        actual = await outcome(() => store.release(name, token));
        expected = await outcome(() => {
          if (model.tables.claim.get(name)?.token === token) model.tables.claim.delete(name);
        });
        break;
      }
      case "bind": {
        actual = await outcome(() =>
          store.bind(name, step.value, { ttlMs: step.ttlMs, refresh: step.refresh }),
        );
        expected = await outcome(() => {
          const kept = model.tables.binding.get(name);
          if (kept && kept.expiresAt > now) {
            if (step.refresh) Object.assign(kept, { expiresAt: now + step.ttlMs, seq: ++model.seq });
            return kept.value;
          }
          model.replace("binding", name, { value: step.value, expiresAt: now + step.ttlMs }, now);
          return step.value;
        });
        break;
      }
      case "watermark": {
        actual = await outcome(() => store.watermark!(name));
        const kept = model.tables.watermark.get(name);
        expected = kept && kept.expiresAt > now ? kept.at : undefined;
        break;
      }
      case "advance": {
        actual = await outcome(() => store.advance!(name, step.at, { ttlMs: step.ttlMs }));
        expected = await outcome(() => {
          const kept = model.tables.watermark.get(name);
          if (kept && kept.expiresAt > now && kept.at! > step.at) return false;
          model.replace("watermark", name, { at: step.at, expiresAt: now + step.ttlMs }, now);
          return true;
        });
        break;
      }
    }
    expect({ step, outcome: actual, size: store.size }).toEqual({
      step,
      outcome: expected,
      size: model.size,
    });
  }
}

describe("memoryStore against a model of its rules", () => {
  it("answers every sequence of operations as the model does, and holds as many keys", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.array(operations(4), { maxLength: 60 }), run),
      { numRuns: RUNS, endOnFailure: true, ...(SEED === undefined ? {} : { seed: SEED }) },
    );
  });

  it("keeps to the model over thousands of operations, while its write orders wrap and grow", async () => {
    // Forty keys in each of three namespaces (claims, bindings, watermarks): every one of these
    // stores fills and evicts, so each order's oldest end moves on, its ring wraps, and grows while
    // wrapped. Dropping stale places is the store tests' (thousands of rewrites of a few keys).
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(6, 30, 50, 100),
        fc.array(operations(40), { minLength: 2_500, maxLength: 4_000 }),
        run,
      ),
      {
        numRuns: Math.max(10, Math.ceil(RUNS / 100)),
        endOnFailure: true,
        ...(SEED === undefined ? {} : { seed: SEED }),
      },
    );
  });
});
