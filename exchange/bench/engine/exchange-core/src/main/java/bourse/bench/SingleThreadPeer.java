package bourse.bench;

import exchange.core2.core.common.CoreSymbolSpecification;
import exchange.core2.core.common.IOrder;
import exchange.core2.core.common.MatcherEventType;
import exchange.core2.core.common.MatcherTradeEvent;
import exchange.core2.core.common.OrderAction;
import exchange.core2.core.common.OrderType;
import exchange.core2.core.common.SymbolType;
import exchange.core2.core.common.cmd.CommandResultCode;
import exchange.core2.core.common.cmd.OrderCommand;
import exchange.core2.core.common.cmd.OrderCommandType;
import exchange.core2.core.common.config.ExchangeConfiguration;
import exchange.core2.core.common.config.PerformanceConfiguration;
import exchange.core2.core.orderbook.IOrderBook;
import exchange.core2.core.orderbook.OrderBookDirectImpl;
import exchange.core2.core.processors.MatchingEngineRouter;
import exchange.core2.core.processors.RiskEngine;
import exchange.core2.core.processors.SharedPool;
import exchange.core2.core.processors.journaling.DummySerializationProcessor;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * exchange-core's risk engine and matching engine called one after the other on this thread, as its
 * pipeline calls them on three: risk pre-check (funds held), matching, risk release (settlement).
 * One command object is reused, as a ring buffer slot is.
 */
final class SingleThreadPeer {
    static final int SYMBOL = 1;
    static final int BASE = 1;
    static final int QUOTE = 2;

    private final RiskEngine risk;
    private final MatchingEngineRouter matching;
    private final OrderCommand cmd = new OrderCommand();
    private long seq;

    long trades;
    long volumeLots;
    long rejects;
    /** Lots each operation's own order traded; only filled when recording. */
    int[] fills;
    final Map<String, Integer> rejectsByCode = new TreeMap<>();

    static CoreSymbolSpecification symbol(Workload w) {
        return CoreSymbolSpecification.builder()
                .symbolId(SYMBOL)
                .type(SymbolType.CURRENCY_EXCHANGE_PAIR)
                .baseCurrency(BASE)
                .quoteCurrency(QUOTE)
                .baseScaleK(1)
                .quoteScaleK(1)
                .takerFee(w.takerFeePerLot)
                .makerFee(w.makerFeePerLot)
                .build();
    }

    SingleThreadPeer(Workload w) {
        final ExchangeConfiguration cfg = ExchangeConfiguration.defaultBuilder()
                .performanceCfg(PerformanceConfiguration.baseBuilder().orderBookFactory(OrderBookDirectImpl::new).build())
                .build();
        final SharedPool pool = SharedPool.createTestSharedPool();
        risk = new RiskEngine(0, 1, DummySerializationProcessor.INSTANCE, pool, cfg);
        matching = new MatchingEngineRouter(0, 1, DummySerializationProcessor.INSTANCE, OrderBookDirectImpl::new, pool, cfg);
        final CoreSymbolSpecification spec = symbol(w);
        risk.getSymbolSpecificationProvider().addSymbol(spec);
        matching.getOrderBooks().put(SYMBOL, matching.getOrderBookFactory()
                .create(spec, matching.getObjectsPool(), matching.getEventsHelper(), matching.getLoggingCfg()));
        long transaction = 1;
        for (long uid = 1; uid <= w.accounts; uid++) {
            risk.getUserProfileService().addEmptyUserProfile(uid);
            check(risk.getUserProfileService().balanceAdjustment(uid, BASE, w.fundingBaseLots, transaction++));
            check(risk.getUserProfileService().balanceAdjustment(uid, QUOTE, w.fundingQuote, transaction++));
        }
    }

    private static void check(CommandResultCode code) {
        if (code != CommandResultCode.SUCCESS) throw new IllegalStateException("setup refused: " + code);
    }

    void apply(Workload w, int i) {
        final OrderCommand c = cmd;
        c.matcherEvent = null;
        c.marketData = null;
        c.resultCode = CommandResultCode.NEW;
        c.serviceFlags = 0;
        c.eventsGroup = 0;
        c.timestamp = i;
        c.symbol = SYMBOL;
        c.uid = w.uid[i];
        c.orderId = w.id[i];
        switch (w.kind[i]) {
            case Workload.LIMIT, Workload.MARKET -> {
                c.command = OrderCommandType.PLACE_ORDER;
                c.price = w.price[i];
                c.size = w.size[i];
                c.action = w.buy[i] ? OrderAction.BID : OrderAction.ASK;
                c.orderType = w.ioc[i] ? OrderType.IOC : OrderType.GTC;
                c.reserveBidPrice = w.buy[i] ? w.maxPrice : 0;
            }
            case Workload.CANCEL -> c.command = OrderCommandType.CANCEL_ORDER;
            case Workload.MOVE -> {
                c.command = OrderCommandType.MOVE_ORDER;
                c.price = w.price[i];
            }
            default -> {
                c.command = OrderCommandType.REDUCE_ORDER;
                c.size = w.size[i];
            }
        }
        risk.preProcessCommand(seq, c);
        matching.processOrder(seq, c);
        risk.handlerRiskRelease(seq, c);
        seq++;
        if (c.resultCode != CommandResultCode.SUCCESS) {
            rejects++;
            if (fills != null) rejectsByCode.merge(c.resultCode.name(), 1, Integer::sum);
        }
        long filled = 0;
        for (MatcherTradeEvent e = c.matcherEvent; e != null; e = e.nextEvent) {
            if (e.eventType == MatcherEventType.TRADE) {
                trades++;
                filled += e.size;
            }
        }
        volumeLots += filled;
        if (fills != null) fills[i] = (int) filled;
    }

    /** The book as resting orders, best price first and oldest first: "id price lots" triples. */
    String bookJson() {
        final IOrderBook book = matching.getOrderBooks().get(SYMBOL);
        return "\"bids\":" + orders(book.bidOrdersStream(true)) + ",\"asks\":" + orders(book.askOrdersStream(true));
    }

    private static String orders(Stream<? extends IOrder> orders) {
        final StringBuilder s = new StringBuilder("[");
        orders.forEach(o -> {
            if (s.length() > 1) s.append(',');
            s.append(o.getOrderId()).append(',').append(o.getPrice()).append(',').append(o.getSize() - o.getFilled());
        });
        return s.append(']').toString();
    }
}
