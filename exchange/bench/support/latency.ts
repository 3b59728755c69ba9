/** Per-operation latencies in nanoseconds, summarized as percentiles. */
export class LatencyRecorder {
  private readonly samples: Float64Array;
  private count = 0;

  constructor(capacity: number) {
    this.samples = new Float64Array(capacity);
  }

  record(nanos: number): void {
    this.samples[this.count++] = nanos;
  }

  summary(): { p50Ns: number; p99Ns: number; p999Ns: number } {
    const sorted = this.samples.slice(0, this.count).sort();
    const at = (p: number) => Math.round(percentile(sorted, p));
    return { p50Ns: at(0.5), p99Ns: at(0.99), p999Ns: at(0.999) };
  }
}

/** The value at quantile `q` (0 to 1) of samples sorted ascending; 0 when there are none. */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}
