import { describe, expect, it } from "vitest";
import { demo } from "./commands/demo.js";
import { captureIO } from "./internal/test-io.js";
import { runCli } from "./run-cli.js";

describe("hookgate demo", () => {
  it("exits 0, every outcome the expected one, and prints the table", async () => {
    const { io, out } = captureIO();
    const result = await demo({}, io);
    expect(result.exitCode).toBe(0);
    expect(result.rows.map((row) => [row.label, row.got, row.handlerCalls])).toEqual([
      ["valid invoice.paid", "200 handled", 1],
      ["same delivery again (a sender retry)", "200 duplicate", 0],
      ["tampered body", "401 signature_mismatch", 0],
      ["signed with the wrong secret", "401 signature_mismatch", 0],
      ["stale timestamp (10 min old)", "401 timestamp_too_old", 0],
      ["schema-invalid payload", "422 schema_validation_failed", 0],
      ["unsigned request", "400 missing_signature", 0],
      ["handler throws", "500 handler_failed", 1],
      ["sender retries it (same id)", "200 handled", 1],
      ["burst of 1,000, 50 at a time", "200 handled ×1,000", 1000],
    ]);
    expect(result.rows.every((row) => row.ok && row.got === row.expected)).toBe(true);
    expect(result.rows[5]!.why).toBe("data.amount_paid must be whole cents");
    expect(result.burst).toMatchObject({ count: 1000, concurrency: 50 });
    expect(result.burst.latency.p99).toBeGreaterThanOrEqual(result.burst.latency.p50);

    const text = out();
    expect(text).toContain(`receiver  ${result.url}`);
    const lines = text.split("\n");
    const header = lines.findIndex((line) =>
      /^ #\s+delivery\s+result\s+status\s+why\s+handler calls\s+ok$/.test(line),
    );
    expect(header).toBeGreaterThan(0);
    const body = lines.slice(header + 2, header + 12);
    expect(body[2]).toMatch(/^ 3 {2}tampered body\s+rejected {2}401\s+signature_mismatch\s+0 {2}✓$/);
    expect(body[7]).toMatch(
      /^ 8 {2}handler throws\s+rejected {2}500\s+handler_failed: database timeout; id released for the retry\s+1 {2}✓$/,
    );
    expect(body[9]).toMatch(
      /^10 {2}burst of 1,000, 50 at a time\s+accepted {2}200\s+handled ×1,000\s+1,000 {2}✓$/,
    );
    expect(text).toMatch(
      /burst {5}1,000 deliveries in [\d.]+ m?s · [\d,]+ req\/s · latency p50 [\d.]+ ms · p99 [\d.]+ m?s/,
    );
    expect(text).toContain("✓ all 10 outcomes as expected");
  });

  it("runs from the command line with a smaller burst", async () => {
    const { io, out } = captureIO();
    expect(await runCli(["demo", "--burst", "20", "--concurrency", "5"], io)).toBe(0);
    expect(out()).toMatch(/burst of 20, 5 at a time\s+accepted {2}200\s+handled ×20\s+20 {2}✓/);
  });
});
