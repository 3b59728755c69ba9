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
    const at = (p: number) => Math.round(sorted[Math.min(this.count - 1, Math.floor(p * this.count))] ?? 0);
    return { p50Ns: at(0.5), p99Ns: at(0.99), p999Ns: at(0.999) };
  }
}
