package bourse.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The workload file that exchange/bench/engine/workload-file.ts writes: a header, then one operation
 * a line. Prices are in ticks and sizes in lots; with baseScaleK = quoteScaleK = 1 one lot at p
 * ticks costs p quote units, exactly as one Bourse lot at p ticks costs p minor USDT units.
 *
 * <pre>
 * L uid id B|S price lots G|I   limit order, GTC or IOC
 * M uid id B|S lots             market order (here an IOC at the edge of the price range)
 * C uid id                      cancel
 * V uid id price                move to a new price
 * R uid id byLots               reduce
 * </pre>
 */
final class Workload {
    static final byte LIMIT = 'L', MARKET = 'M', CANCEL = 'C', MOVE = 'V', REDUCE = 'R';

    String name;
    int accounts;
    long fundingBaseLots;
    long fundingQuote;
    long takerFeePerLot;
    long makerFeePerLot;
    long minPrice;
    long maxPrice;
    int count;
    byte[] kind;
    long[] uid;
    long[] id;
    boolean[] buy;
    long[] price;
    /** Lots for a limit or market order, lots taken off for a reduce. */
    long[] size;
    boolean[] ioc;

    static Workload read(Path file) throws IOException {
        final Workload w = new Workload();
        try (BufferedReader in = Files.newBufferedReader(file)) {
            if (!"bourse-engine-workload 1".equals(in.readLine())) {
                throw new IOException(file + " is not a bourse engine workload (version 1)");
            }
            w.name = value(in, "name")[0];
            w.accounts = Integer.parseInt(value(in, "accounts")[0]);
            final String[] funding = value(in, "funding");
            w.fundingBaseLots = Long.parseLong(funding[0]);
            w.fundingQuote = Long.parseLong(funding[1]);
            final String[] fees = value(in, "fees");
            w.takerFeePerLot = Long.parseLong(fees[0]);
            w.makerFeePerLot = Long.parseLong(fees[1]);
            final String[] range = value(in, "range");
            w.minPrice = Long.parseLong(range[0]);
            w.maxPrice = Long.parseLong(range[1]);
            final int n = Integer.parseInt(value(in, "ops")[0]);
            w.count = n;
            w.kind = new byte[n];
            w.uid = new long[n];
            w.id = new long[n];
            w.buy = new boolean[n];
            w.price = new long[n];
            w.size = new long[n];
            w.ioc = new boolean[n];
            for (int i = 0; i < n; i++) {
                final String line = in.readLine();
                if (line == null) throw new IOException(file + " ends after " + i + " of " + n + " operations");
                final String[] f = line.split(" ");
                final byte k = (byte) f[0].charAt(0);
                w.kind[i] = k;
                w.uid[i] = Long.parseLong(f[1]);
                w.id[i] = Long.parseLong(f[2]);
                switch (k) {
                    case LIMIT -> {
                        w.buy[i] = f[3].equals("B");
                        w.price[i] = Long.parseLong(f[4]);
                        w.size[i] = Long.parseLong(f[5]);
                        w.ioc[i] = f[6].equals("I");
                    }
                    case MARKET -> {
                        w.buy[i] = f[3].equals("B");
                        w.size[i] = Long.parseLong(f[4]);
                        w.price[i] = w.buy[i] ? w.maxPrice : w.minPrice;
                        w.ioc[i] = true;
                    }
                    case CANCEL -> { }
                    case MOVE -> w.price[i] = Long.parseLong(f[3]);
                    case REDUCE -> w.size[i] = Long.parseLong(f[3]);
                    default -> throw new IOException("unknown operation at line " + (i + 1) + ": " + line);
                }
            }
        }
        return w;
    }

    private static String[] value(BufferedReader in, String key) throws IOException {
        final String line = in.readLine();
        if (line == null || !line.startsWith(key + " ")) throw new IOException("expected '" + key + " ...', got " + line);
        return line.substring(key.length() + 1).split(" ");
    }
}
