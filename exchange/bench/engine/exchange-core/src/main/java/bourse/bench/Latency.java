package bourse.bench;

import java.util.Arrays;

/** Per-operation latencies in nanoseconds, summarized as the same percentiles the TypeScript side prints. */
final class Latency {
    private final long[] samples;
    private int count;

    Latency(int capacity) {
        samples = new long[capacity];
    }

    void record(long nanos) {
        samples[count++] = nanos;
    }

    String json() {
        final long[] sorted = Arrays.copyOf(samples, count);
        Arrays.sort(sorted);
        return "\"p50Ns\":" + at(sorted, 0.5) + ",\"p99Ns\":" + at(sorted, 0.99) + ",\"p999Ns\":" + at(sorted, 0.999);
    }

    private static long at(long[] sorted, double q) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))];
    }
}
