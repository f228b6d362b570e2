// Every figure is the median of repeated measurements, reported with its spread.

export interface Figure {
  /** The median. */
  value: number;
  /** Each repetition, in run order. */
  samples: number[];
  /** (max - min) / median: how much the repetitions disagree. */
  spread: number;
}

export function figure(samples: number[]): Figure {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const value = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const spread = value === 0 ? 0 : (sorted.at(-1)! - sorted[0]!) / value;
  return { value: round(value), samples: samples.map(round), spread: round(spread) };
}

/** The ratio of each repetition's pair, then its figure: both sides come from the same run. */
export function ratio(num: number[], den: number[]): Figure {
  return figure(num.map((n, i) => n / den[i]!));
}

export const round = (x: number) => Math.round(x * 1000) / 1000;
