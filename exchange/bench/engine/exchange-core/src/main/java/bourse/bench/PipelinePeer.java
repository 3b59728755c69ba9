package bourse.bench;

import exchange.core2.core.ExchangeApi;
import exchange.core2.core.ExchangeCore;
import exchange.core2.core.common.CoreWaitStrategy;
import exchange.core2.core.common.L2MarketData;
import exchange.core2.core.common.MatcherEventType;
import exchange.core2.core.common.MatcherTradeEvent;
import exchange.core2.core.common.OrderAction;
import exchange.core2.core.common.OrderType;
import exchange.core2.core.common.api.ApiAddUser;
import exchange.core2.core.common.api.ApiAdjustUserBalance;
import exchange.core2.core.common.api.binary.BatchAddSymbolsCommand;
import exchange.core2.core.common.cmd.CommandResultCode;
import exchange.core2.core.common.config.ExchangeConfiguration;
import exchange.core2.core.common.config.PerformanceConfiguration;
import exchange.core2.core.orderbook.OrderBookDirectImpl;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * exchange-core's standard pipeline: ExchangeCore with its disruptor (grouping, risk hold, matching,
 * risk release, results on their own threads), one risk engine and one matching engine, a yielding
 * wait strategy (the machine is shared, so busy-spinning threads would starve each other).
 */
final class PipelinePeer implements AutoCloseable {
    private final ExchangeCore core;
    private final ExchangeApi api;
    private final AtomicLong results = new AtomicLong();
    private volatile long trades;
    private volatile long volumeLots;
    private volatile long rejects;

    PipelinePeer(Workload w) throws Exception {
        final PerformanceConfiguration perf = PerformanceConfiguration.baseBuilder()
                .orderBookFactory(OrderBookDirectImpl::new)
                .waitStrategy(CoreWaitStrategy.YIELDING)
                .ringBufferSize(64 * 1024)
                .msgsInGroupLimit(4096)
                .build();
        final ExchangeConfiguration cfg = ExchangeConfiguration.defaultBuilder().performanceCfg(perf).build();
        // Runs on the results thread only, so plain read-modify-write of the volatiles is safe.
        core = ExchangeCore.builder()
                .exchangeConfiguration(cfg)
                .resultsConsumer((cmd, seq) -> {
                    long t = 0;
                    long v = 0;
                    for (MatcherTradeEvent e = cmd.matcherEvent; e != null; e = e.nextEvent) {
                        if (e.eventType == MatcherEventType.TRADE) {
                            t++;
                            v += e.size;
                        }
                    }
                    if (t > 0) {
                        trades += t;
                        volumeLots += v;
                    }
                    if (cmd.resultCode != CommandResultCode.SUCCESS) rejects++;
                    results.incrementAndGet();
                })
                .build();
        core.startup();
        api = core.getApi();
        expect(api.submitBinaryDataAsync(new BatchAddSymbolsCommand(SingleThreadPeer.symbol(w))).get());
        final List<CompletableFuture<CommandResultCode>> setup = new ArrayList<>();
        long transaction = 1;
        for (long uid = 1; uid <= w.accounts; uid++) {
            setup.add(api.submitCommandAsync(ApiAddUser.builder().uid(uid).build()));
            setup.add(api.submitCommandAsync(ApiAdjustUserBalance.builder()
                    .uid(uid).currency(SingleThreadPeer.BASE).amount(w.fundingBaseLots).transactionId(transaction++).build()));
            setup.add(api.submitCommandAsync(ApiAdjustUserBalance.builder()
                    .uid(uid).currency(SingleThreadPeer.QUOTE).amount(w.fundingQuote).transactionId(transaction++).build()));
        }
        for (CompletableFuture<CommandResultCode> f : setup) expect(f.get());
    }

    private static void expect(CommandResultCode code) {
        if (code != CommandResultCode.SUCCESS) throw new IllegalStateException("setup refused: " + code);
    }

    /** Publishes every operation, waits for the last result; returns the wall time in nanoseconds. */
    long run(Workload w) {
        final long before = results.get();
        final long target = before + w.count;
        final int symbol = SingleThreadPeer.SYMBOL;
        final long start = System.nanoTime();
        for (int i = 0; i < w.count; i++) {
            switch (w.kind[i]) {
                case Workload.LIMIT, Workload.MARKET -> api.placeNewOrder(0, 0, i, w.id[i], 0, w.price[i],
                        w.buy[i] ? w.maxPrice : 0, w.size[i], w.buy[i] ? OrderAction.BID : OrderAction.ASK,
                        w.ioc[i] ? OrderType.IOC : OrderType.GTC, symbol, w.uid[i]);
                case Workload.CANCEL -> api.cancelOrder(0, 0, i, w.id[i], symbol, w.uid[i]);
                case Workload.MOVE -> api.moveOrder(0, 0, i, w.price[i], w.id[i], symbol, w.uid[i]);
                default -> api.reduceOrder(0, 0, i, w.size[i], w.id[i], symbol, w.uid[i]);
            }
        }
        while (results.get() < target) Thread.onSpinWait();
        return System.nanoTime() - start;
    }

    String tallyJson() throws Exception {
        final L2MarketData book = api.requestOrderBookAsync(SingleThreadPeer.SYMBOL, 100_000).get();
        return "\"trades\":" + trades + ",\"volumeLots\":" + volumeLots + ",\"rejects\":" + rejects
                + ",\"bidLevels\":" + levels(book.bidSize, book.bidPrices, book.bidVolumes, book.bidOrders)
                + ",\"askLevels\":" + levels(book.askSize, book.askPrices, book.askVolumes, book.askOrders);
    }

    private static String levels(int n, long[] prices, long[] volumes, long[] orders) {
        final StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            if (i > 0) s.append(',');
            s.append(prices[i]).append(',').append(volumes[i]).append(',').append(orders[i]);
        }
        return s.append(']').toString();
    }

    @Override
    public void close() {
        core.shutdown();
    }
}
