/** A markdown table: a header row and rows of cells, numbers right-aligned. */
export function markdownTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const align = header.map((_, i) =>
    rows.every((r) => /^[\d,.×µ%<>~ -]*[\dsx×%]?$/.test(r[i] ?? "")) ? "---:" : "---",
  );
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(align), ...rows.map(line)].join("\n");
}

/** The median of a list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A ratio printed as `0.93×`. */
export function ratio(value: number, reference: number): string {
  return `${(value / reference).toFixed(2)}×`;
}

/** A number with thousands separators and the given decimals. */
export function num(value: number, decimals = 0): string {
  return value.toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** The value of `--name value` or `--name=value` in argv, if present. */
export function flag(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === `--${name}`) return argv[i + 1];
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
  }
  return undefined;
}
