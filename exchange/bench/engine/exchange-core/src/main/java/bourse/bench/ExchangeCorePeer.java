package bourse.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The exchange-core peer of npm run bench:engine, driven over stdin/stdout so that the bench can
 * alternate its rounds with ours in one run.
 *
 * <pre>
 * serve WORKLOAD FILLS   replays the workload once (fills per operation to FILLS, int32 LE; trades,
 *                        rejects and the final book as one JSON line), then answers one JSON line to
 *                        each of: single, latency, pipeline, quit
 * memory WORKLOAD        places the workload's orders and prints the heap they take
 * </pre>
 */
public final class ExchangeCorePeer {
    private static final PrintStream out = System.out;
    private static final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        if (args.length == 3 && args[0].equals("serve")) {
            serve(Workload.read(Path.of(args[1])), Path.of(args[2]));
        } else if (args.length == 2 && args[0].equals("memory")) {
            memory(Workload.read(Path.of(args[1])));
        } else {
            System.err.println("usage: ExchangeCorePeer serve WORKLOAD FILLS | memory WORKLOAD");
            System.exit(2);
        }
    }

    private static void serve(Workload w, Path fillsFile) throws Exception {
        final SingleThreadPeer verify = new SingleThreadPeer(w);
        verify.fills = new int[w.count];
        for (int i = 0; i < w.count; i++) verify.apply(w, i);
        final ByteBuffer fills = ByteBuffer.allocate(4 * w.count).order(ByteOrder.LITTLE_ENDIAN);
        for (int f : verify.fills) fills.putInt(f);
        Files.write(fillsFile, fills.array());
        out.println("{\"type\":\"verify\",\"trades\":" + verify.trades + ",\"volumeLots\":" + verify.volumeLots
                + ",\"rejects\":" + verify.rejects + ",\"rejectsByCode\":" + json(verify.rejectsByCode) + ","
                + verify.bookJson() + "}");
        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        for (String line = in.readLine(); line != null && !line.equals("quit"); line = in.readLine()) {
            // A full collection before every timed pass, as the TypeScript side does before each of its own.
            System.gc();
            switch (line) {
                case "single" -> {
                    final SingleThreadPeer peer = new SingleThreadPeer(w);
                    final long cpu = threads.getCurrentThreadCpuTime();
                    final long start = System.nanoTime();
                    for (int i = 0; i < w.count; i++) peer.apply(w, i);
                    final long elapsed = System.nanoTime() - start;
                    final long cpuUsed = threads.getCurrentThreadCpuTime() - cpu;
                    out.println("{\"type\":\"single\",\"opsPerSec\":" + Math.round(w.count / (elapsed / 1e9))
                            + ",\"cpuOpsPerSec\":" + Math.round(w.count / (cpuUsed / 1e9))
                            + ",\"trades\":" + peer.trades + ",\"volumeLots\":" + peer.volumeLots + "}");
                }
                case "latency" -> {
                    final SingleThreadPeer peer = new SingleThreadPeer(w);
                    final Latency latency = new Latency(w.count);
                    for (int i = 0; i < w.count; i++) {
                        final long start = System.nanoTime();
                        peer.apply(w, i);
                        latency.record(System.nanoTime() - start);
                    }
                    out.println("{\"type\":\"latency\"," + latency.json() + ",\"trades\":" + peer.trades + "}");
                }
                case "pipeline" -> {
                    try (PipelinePeer peer = new PipelinePeer(w)) {
                        final long elapsed = peer.run(w);
                        out.println("{\"type\":\"pipeline\",\"opsPerSec\":" + Math.round(w.count / (elapsed / 1e9))
                                + "," + peer.tallyJson() + "}");
                    }
                }
                default -> out.println("{\"type\":\"error\",\"message\":\"unknown request " + line + "\"}");
            }
            out.flush();
        }
    }

    private static void memory(Workload w) throws Exception {
        final SingleThreadPeer peer = new SingleThreadPeer(w);
        final long before = usedHeap();
        for (int i = 0; i < w.count; i++) peer.apply(w, i);
        final long after = usedHeap();
        out.println("{\"type\":\"memory\",\"orders\":" + w.count + ",\"rejects\":" + peer.rejects
                + ",\"trades\":" + peer.trades + ",\"heapBytes\":" + (after - before)
                + ",\"bytesPerOrder\":" + Math.round((after - before) / (double) w.count)
                + ",\"keepAlive\":" + (peer.hashCode() & 0) + "}");
    }

    private static long usedHeap() throws InterruptedException {
        final Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }

    private static String json(Map<String, Integer> counts) {
        final StringBuilder s = new StringBuilder("{");
        counts.forEach((k, v) -> s.append(s.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
        return s.append('}').toString();
    }
}
