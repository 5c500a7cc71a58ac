/** One line of the BENCHMARKS.md table. */
export interface BenchRow {
  readonly measure: string;
  /** Fleet size or input, e.g. `1,000 clusters` or `stack dev`. */
  readonly size: string;
  /** The measured figure, formatted. */
  readonly value: string;
  /** The figure it is compared with, formatted and named, e.g. `412 ms (floor pack)`. */
  readonly baseline: string;
  /** value / baseline; undefined when the row has no meaningful ratio. */
  readonly ratio?: number;
  /** E.g. `≤ 1.5×`; undefined for an informational row. */
  readonly target?: string;
  /** Whether the ratio meets the target; undefined when there is no target. */
  readonly pass?: boolean;
}

/** A ratio row that passes when `ratio <= limit`. */
export function ratioRow(fields: Omit<BenchRow, "ratio" | "target" | "pass">, ratio: number, limit?: number): BenchRow {
  return { ...fields, ratio, ...(limit === undefined ? {} : { target: `≤ ${limit}×`, pass: ratio <= limit }) };
}
