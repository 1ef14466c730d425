// The interface every bench module implements. Figures print as `name: value unit`.
export type Report = (name: string, value: number, unit?: string) => void;

export interface Bench {
  /** Short id used to select it: `npm run bench -- parse executor`. */
  readonly id: string;
  /** Runs only when named (`npm run bench -- kernels`): it takes minutes and needs fetched kernels. */
  readonly onlyWhenNamed?: boolean;
  run(report: Report): Promise<void>;
}

/** Round for printing: integers stay integers, ratios keep three significant digits. */
export function fmt(value: number): string {
  if (Number.isInteger(value)) return String(value);
  if (Math.abs(value) >= 100) return value.toFixed(0);
  return value.toPrecision(3);
}
