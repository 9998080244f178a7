/**
 * What a copy of a small object with one more field costs on this Node: an object spread followed
 * by a field (`{ ...event, key }`) against `Object.assign` into a new object, against a spread
 * alone. The receiver's own copies use `Object.assign` (packages/core/src/internal/extend.ts)
 * because of this table.
 *
 *   npx tsx micro/object-copy.ts
 */
const events = Array.from({ length: 1000 }, (_, i) => {
  const event: Record<string, unknown> = {
    id: `msg_${i}`,
    type: "invoice.paid",
    scheme: "standard-webhooks",
    payload: { amount: i },
    matchedSecret: 0,
    timestamp: new Date(0),
  };
  event.receivedAt = new Date(); // set later, as the receiver does
  return event;
});
const ways: Array<[string, (event: Record<string, unknown>) => object]> = [
  ["spread, then a field: { ...event, key }", (event) => ({ ...event, key: "k" })],
  ["Object.assign({}, event, { key })", (event) => Object.assign({}, event, { key: "k" })],
  ["spread alone: { ...event }", (event) => ({ ...event })],
];
for (let round = 0; round < 3; round++) {
  for (const [name, copy] of ways) {
    const n = 1_000_000;
    let sink = 0;
    const started = performance.now();
    for (let i = 0; i < n; i++) sink += Object.keys(copy(events[i % 1000]!)).length;
    const ns = ((performance.now() - started) * 1e6) / n;
    if (round === 2) console.log(`${name}: ${ns.toFixed(0)} ns (${sink > 0 ? "ok" : ""})`);
  }
}
