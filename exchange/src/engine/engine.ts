import { isAmount } from '../domain/amount.ts';
import type {
  AddAsset,
  CancelAllOrders,
  CancelOrder,
  CancelReplace,
  Command,
  CompleteWithdrawal,
  Deposit,
  FailWithdrawal,
  HaltMarket,
  ListMarket,
  NewOrder,
  OrderRef,
  PlaceOrder,
  RequestWithdrawal,
  ResumeMarket,
} from '../domain/commands.ts';
import type { CancelReason, EngineEvent, ExpireReason } from '../domain/events.ts';
import { FEE_ACCOUNT_ID, FEE_RATE_SCALE, type MarketSpec, STP_MODES } from '../domain/market.ts';
import { RejectReason } from '../domain/reject-reason.ts';
import { type AssetInfo, AssetRegistry } from './assets.ts';
import { type Account, Balances } from './balances.ts';
import { findInvariantViolations } from './invariants.ts';
import { Market } from './market.ts';
import { OpenOrders } from './open-orders.ts';
import { RestingOrder } from './order.ts';
import { checkOrderRules, effectiveTimeInForce, GENERATED_CLIENT_ID_PREFIX } from './order-rules.ts';
import { sha256Hex } from './sha256.ts';
import { type EngineSnapshot, restoreInto, snapshotOf } from './snapshot.ts';
import { Taker } from './taker.ts';

const ASSET_NAME = /^[A-Z0-9]{2,12}$/;
const SYMBOL_NAME = /^[A-Z0-9]{4,24}$/;
/** More decimals would leave too little room below 2^53 for a realistic supply. */
const MAX_ASSET_DECIMALS = 12;

export interface PendingWithdrawal {
  readonly withdrawalId: string;
  readonly userId: number;
  readonly asset: AssetInfo;
  readonly amount: number;
}

/**
 * The exchange's state machine: markets, books, balances and pre-trade risk in one single-threaded
 * core, so a balance check and the fill it allows can never race. `apply` takes a stamped command and
 * returns its events; it reads no clock and does no I/O, so a log replays to byte-identical events.
 *
 * Business outcomes (including every rejection) are events. A thrown error is a fault: an invariant
 * broke, and the caller must stop rather than carry on with a state it cannot trust.
 */
export class MatchingEngine {
  readonly assets = new AssetRegistry();
  readonly balances = new Balances();
  readonly markets = new Map<string, Market>();
  readonly orders = new OpenOrders();
  readonly withdrawals = new Map<string, PendingWithdrawal>();
  lastSeq = 0;
  nextOrderId = 1;
  nextTradeId = 1;

  private readonly taker = new Taker();
  private out: EngineEvent[] = [];
  private seq = 0;
  private ts = 0;

  apply(command: Command): EngineEvent[] {
    if (!(command.seq > this.lastSeq)) {
      throw new Error(`command seq ${command.seq} is not after the last applied seq ${this.lastSeq}`);
    }
    const out: EngineEvent[] = [];
    this.out = out;
    this.seq = command.seq;
    this.ts = command.ts;
    this.lastSeq = command.seq;
    switch (command.type) {
      case 'PlaceOrder':
        this.placeOrder(command);
        break;
      case 'CancelOrder':
        this.cancelOrder(command);
        break;
      case 'CancelReplace':
        this.cancelReplace(command);
        break;
      case 'CancelAllOrders':
        this.cancelAllOrders(command);
        break;
      case 'Deposit':
        this.deposit(command);
        break;
      case 'RequestWithdrawal':
        this.requestWithdrawal(command);
        break;
      case 'CompleteWithdrawal':
        this.completeWithdrawal(command);
        break;
      case 'FailWithdrawal':
        this.failWithdrawal(command);
        break;
      case 'AddAsset':
        this.addAsset(command);
        break;
      case 'ListMarket':
        this.listMarket(command);
        break;
      case 'HaltMarket':
        this.haltMarket(command);
        break;
      case 'ResumeMarket':
        this.resumeMarket(command);
        break;
      default:
        this.reject((command as { type: Command['type'] }).type, RejectReason.INVALID_COMMAND, 0, '', '');
    }
    return out;
  }

  /** The whole state, canonical: equal states give equal snapshots, byte for byte. */
  snapshot(): EngineSnapshot {
    return snapshotOf(this);
  }

  static restore(snapshot: EngineSnapshot): MatchingEngine {
    const engine = new MatchingEngine();
    restoreInto(engine, snapshot);
    return engine;
  }

  /** SHA-256 of the canonical snapshot. */
  stateHash(): string {
    return sha256Hex(JSON.stringify(this.snapshot()));
  }

  /** Every broken invariant, described; empty when the state is sound. */
  checkInvariants(): string[] {
    return findInvariantViolations(this);
  }

  // ---- administration ------------------------------------------------------------------------

  private addAsset(command: AddAsset): void {
    const { asset, decimals } = command;
    if (typeof asset !== 'string' || !ASSET_NAME.test(asset)) {
      return this.reject('AddAsset', RejectReason.INVALID_COMMAND, 0, '', '');
    }
    if (!Number.isInteger(decimals) || decimals < 0 || decimals > MAX_ASSET_DECIMALS) {
      return this.reject('AddAsset', RejectReason.INVALID_COMMAND, 0, '', '');
    }
    if (this.assets.get(asset) !== undefined)
      return this.reject('AddAsset', RejectReason.ASSET_EXISTS, 0, '', '');
    this.assets.add(asset, decimals);
    this.out.push({ type: 'AssetAdded', seq: this.seq, ts: this.ts, asset, decimals });
  }

  private listMarket(command: ListMarket): void {
    const spec: MarketSpec = {
      symbol: command.symbol,
      base: command.base,
      quote: command.quote,
      tickSize: command.tickSize,
      lotSize: command.lotSize,
      minQty: command.minQty,
      maxQty: command.maxQty,
      minNotional: command.minNotional,
      makerFeePpm: command.makerFeePpm,
      takerFeePpm: command.takerFeePpm,
      defaultStpMode: command.defaultStpMode,
    };
    const symbol = typeof spec.symbol === 'string' ? spec.symbol : '';
    if (this.markets.has(symbol)) return this.reject('ListMarket', RejectReason.SYMBOL_EXISTS, 0, symbol, '');
    const base = this.assets.get(spec.base);
    const quote = this.assets.get(spec.quote);
    if (base === undefined || quote === undefined) {
      return this.reject('ListMarket', RejectReason.UNKNOWN_ASSET, 0, symbol, '');
    }
    if (!isValidMarketSpec(spec, base) || base === quote) {
      return this.reject('ListMarket', RejectReason.INVALID_MARKET_CONFIG, 0, symbol, '');
    }
    this.markets.set(spec.symbol, new Market(spec, base, quote));
    this.out.push({ type: 'MarketListed', seq: this.seq, ts: this.ts, market: spec });
  }

  private haltMarket(command: HaltMarket): void {
    const market = this.markets.get(command.symbol);
    if (market === undefined) return this.reject('HaltMarket', RejectReason.UNKNOWN_SYMBOL, 0, '', '');
    if (market.status === 'HALTED')
      return this.reject('HaltMarket', RejectReason.MARKET_HALTED, 0, market.spec.symbol, '');
    market.status = 'HALTED';
    this.out.push({ type: 'MarketHalted', seq: this.seq, ts: this.ts, symbol: market.spec.symbol });
  }

  private resumeMarket(command: ResumeMarket): void {
    const market = this.markets.get(command.symbol);
    if (market === undefined) return this.reject('ResumeMarket', RejectReason.UNKNOWN_SYMBOL, 0, '', '');
    if (market.status !== 'HALTED') {
      return this.reject('ResumeMarket', RejectReason.MARKET_NOT_HALTED, 0, market.spec.symbol, '');
    }
    market.status = 'TRADING';
    this.out.push({ type: 'MarketResumed', seq: this.seq, ts: this.ts, symbol: market.spec.symbol });
  }

  // ---- deposits and withdrawals --------------------------------------------------------------

  private deposit(command: Deposit): void {
    const { userId, amount } = command;
    if (!isUserId(userId)) return this.reject('Deposit', RejectReason.INVALID_USER, 0, '', '');
    const asset = this.assets.get(command.asset);
    if (asset === undefined) return this.reject('Deposit', RejectReason.UNKNOWN_ASSET, userId, '', '');
    if (!isAmount(amount) || amount === 0)
      return this.reject('Deposit', RejectReason.INVALID_AMOUNT, userId, '', '');
    // The supply cap is what keeps every balance, and every sum of balances, a safe integer.
    if (amount > Number.MAX_SAFE_INTEGER - asset.supply) {
      return this.reject('Deposit', RejectReason.SUPPLY_LIMIT, userId, '', '');
    }
    asset.supply += amount;
    this.change(this.balances.account(userId), asset, amount, 0, 'DEPOSIT');
  }

  private requestWithdrawal(command: RequestWithdrawal): void {
    const { userId, amount, withdrawalId } = command;
    if (!isUserId(userId)) return this.reject('RequestWithdrawal', RejectReason.INVALID_USER, 0, '', '');
    if (typeof withdrawalId !== 'string' || withdrawalId.length === 0 || withdrawalId.length > 64) {
      return this.reject('RequestWithdrawal', RejectReason.INVALID_COMMAND, userId, '', '');
    }
    if (this.withdrawals.has(withdrawalId)) {
      return this.reject('RequestWithdrawal', RejectReason.DUPLICATE_WITHDRAWAL_ID, userId, '', '');
    }
    const asset = this.assets.get(command.asset);
    if (asset === undefined)
      return this.reject('RequestWithdrawal', RejectReason.UNKNOWN_ASSET, userId, '', '');
    if (!isAmount(amount) || amount === 0) {
      return this.reject('RequestWithdrawal', RejectReason.INVALID_AMOUNT, userId, '', '');
    }
    if (this.balances.available(userId, asset) < amount) {
      return this.reject('RequestWithdrawal', RejectReason.INSUFFICIENT_BALANCE, userId, '', '');
    }
    this.withdrawals.set(withdrawalId, { withdrawalId, userId, asset, amount });
    const { seq, ts } = this;
    this.out.push({ type: 'WithdrawalRequested', seq, ts, withdrawalId, userId, asset: asset.name, amount });
    this.change(this.balances.account(userId), asset, -amount, amount, 'WITHDRAWAL_LOCK');
  }

  private completeWithdrawal(command: CompleteWithdrawal): void {
    const pending = this.withdrawals.get(command.withdrawalId);
    if (pending === undefined)
      return this.reject('CompleteWithdrawal', RejectReason.UNKNOWN_WITHDRAWAL, 0, '', '');
    const { withdrawalId, userId, asset, amount } = pending;
    this.withdrawals.delete(withdrawalId);
    asset.supply -= amount;
    const { seq, ts } = this;
    this.out.push({ type: 'WithdrawalCompleted', seq, ts, withdrawalId, userId, asset: asset.name, amount });
    this.change(this.balances.account(userId), asset, 0, -amount, 'WITHDRAWAL_COMPLETE');
  }

  private failWithdrawal(command: FailWithdrawal): void {
    const pending = this.withdrawals.get(command.withdrawalId);
    if (pending === undefined)
      return this.reject('FailWithdrawal', RejectReason.UNKNOWN_WITHDRAWAL, 0, '', '');
    const { withdrawalId, userId, asset, amount } = pending;
    this.withdrawals.delete(withdrawalId);
    const { seq, ts } = this;
    this.out.push({ type: 'WithdrawalFailed', seq, ts, withdrawalId, userId, asset: asset.name, amount });
    this.change(this.balances.account(userId), asset, amount, -amount, 'WITHDRAWAL_FAIL');
  }

  // ---- orders --------------------------------------------------------------------------------

  private placeOrder(command: PlaceOrder): void {
    this.submit(command, 'PlaceOrder');
  }

  private cancelOrder(command: CancelOrder): void {
    const { userId, symbol } = command;
    const clientOrderId = command.clientOrderId ?? '';
    const market = this.markets.get(symbol);
    if (market === undefined)
      return this.reject('CancelOrder', RejectReason.UNKNOWN_SYMBOL, userId, '', clientOrderId);
    const order = this.findOpenOrder(userId, symbol, command);
    if (order === undefined) {
      return this.reject('CancelOrder', RejectReason.UNKNOWN_ORDER, userId, symbol, clientOrderId);
    }
    this.cancelResting(market, order, 'USER');
  }

  private cancelAllOrders(command: CancelAllOrders): void {
    const { userId, symbol } = command;
    const market = this.markets.get(symbol);
    if (market === undefined)
      return this.reject('CancelAllOrders', RejectReason.UNKNOWN_SYMBOL, userId, '', '');
    const toCancel: RestingOrder[] = [];
    for (const order of this.orders.ofUser(userId)) if (order.symbol === symbol) toCancel.push(order);
    // Binance answers a cancel-all with nothing open as an unknown order.
    if (toCancel.length === 0)
      return this.reject('CancelAllOrders', RejectReason.UNKNOWN_ORDER, userId, symbol, '');
    for (const order of toCancel) this.cancelResting(market, order, 'CANCEL_ALL');
  }

  private cancelReplace(command: CancelReplace): void {
    const { order: newOrder, cancel } = command;
    const { userId, symbol } = newOrder;
    const market = this.markets.get(symbol);
    if (market === undefined)
      return this.reject('CancelReplace', RejectReason.UNKNOWN_SYMBOL, userId, '', '');
    if (command.mode !== 'STOP_ON_FAILURE' && command.mode !== 'ALLOW_FAILURE') {
      return this.reject('CancelReplace', RejectReason.INVALID_COMMAND, userId, symbol, '');
    }
    const existing = this.findOpenOrder(userId, symbol, cancel);
    if (existing === undefined) {
      this.reject('CancelReplace', RejectReason.UNKNOWN_ORDER, userId, symbol, cancel.clientOrderId ?? '');
      if (command.mode === 'STOP_ON_FAILURE') return;
    } else {
      this.cancelResting(market, existing, 'REPLACE');
    }
    this.submit(newOrder, 'CancelReplace');
  }

  private findOpenOrder(userId: number, symbol: string, ref: OrderRef): RestingOrder | undefined {
    let order: RestingOrder | undefined;
    if (ref.orderId !== undefined) {
      order = this.orders.get(ref.orderId);
      if (
        order !== undefined &&
        ref.clientOrderId !== undefined &&
        order.clientOrderId !== ref.clientOrderId
      ) {
        return undefined;
      }
    } else if (ref.clientOrderId !== undefined) {
      order = this.orders.byClientId(userId, ref.clientOrderId);
    }
    if (order === undefined || order.userId !== userId || order.symbol !== symbol) return undefined;
    return order;
  }

  /** Validates, risk-checks, then matches a new order; the whole of Binance's order entry. */
  private submit(order: NewOrder, commandType: 'PlaceOrder' | 'CancelReplace'): void {
    const userId = order.userId;
    const clientOrderId = order.clientOrderId ?? '';
    const symbol = typeof order.symbol === 'string' ? order.symbol : '';
    if (!isUserId(userId))
      return this.reject(commandType, RejectReason.INVALID_USER, 0, symbol, clientOrderId);
    const market = this.markets.get(symbol);
    if (market === undefined)
      return this.reject(commandType, RejectReason.UNKNOWN_SYMBOL, userId, '', clientOrderId);
    if (market.status !== 'TRADING') {
      return this.reject(commandType, RejectReason.MARKET_HALTED, userId, symbol, clientOrderId);
    }
    const ruleViolation = checkOrderRules(order, market);
    if (ruleViolation !== null) return this.reject(commandType, ruleViolation, userId, symbol, clientOrderId);
    if (
      order.clientOrderId !== undefined &&
      this.orders.byClientId(userId, order.clientOrderId) !== undefined
    ) {
      return this.reject(commandType, RejectReason.DUPLICATE_CLIENT_ORDER_ID, userId, symbol, clientOrderId);
    }
    const isBuy = order.side === 'BUY';
    const opposite = isBuy ? market.asks : market.bids;
    const stpMode = order.stpMode ?? market.spec.defaultStpMode;

    // LIMIT_MAKER is post-only: it must not cross the book at all.
    if (order.orderType === 'LIMIT_MAKER') {
      const best = opposite.best();
      if (best !== undefined && (isBuy ? order.price! >= best.price : order.price! <= best.price)) {
        return this.reject(commandType, RejectReason.WOULD_TAKE_AS_MAKER, userId, symbol, clientOrderId);
      }
    }

    const taker = this.taker;
    taker.userId = userId;
    taker.side = order.side;
    taker.price = order.price ?? 0;
    taker.quantity = order.quantity ?? 0;
    taker.timeInForce = effectiveTimeInForce(order);
    taker.stpMode = stpMode;
    taker.executed = 0;
    taker.cumulativeQuote = 0;
    taker.expireReason = null;
    taker.filled = false;
    if (order.quoteOrderQty !== undefined) {
      taker.target = 'QUOTE';
      taker.remaining = order.quoteOrderQty;
    } else {
      taker.target = 'BASE';
      taker.remaining = order.quantity!;
    }

    // Pre-trade risk: what this order may spend, checked against what the user has available.
    const spendAsset = isBuy ? market.quote : market.base;
    // find, not account: a rejected order must not even create an empty account.
    const available = this.balances.find(userId)?.available[spendAsset.index] ?? 0;
    let lock: number;
    if (order.orderType !== 'MARKET') {
      lock = isBuy ? market.notional(taker.price, taker.quantity) : taker.quantity;
      taker.budgeted = false;
    } else if (isBuy === (taker.target === 'QUOTE')) {
      // A market buy by quote amount, or a market sell by base quantity: the amount is known.
      lock = taker.remaining;
      taker.budgeted = false;
    } else {
      // A market buy by base quantity, or a sell by quote amount: the cost depends on the book, so
      // the order may use all the user has, and no more. It must afford at least one lot at the top.
      lock = available;
      taker.budgeted = true;
      const best = opposite.best();
      const minimum =
        best === undefined
          ? 0
          : isBuy
            ? market.notional(best.price, market.spec.lotSize)
            : market.spec.lotSize;
      if (available < minimum || available === 0) {
        return this.reject(commandType, RejectReason.INSUFFICIENT_BALANCE, userId, symbol, clientOrderId);
      }
    }
    if (lock > available)
      return this.reject(commandType, RejectReason.INSUFFICIENT_BALANCE, userId, symbol, clientOrderId);

    const orderId = this.nextOrderId++;
    taker.orderId = orderId;
    taker.userChoseClientId = order.clientOrderId !== undefined;
    taker.clientOrderId = order.clientOrderId ?? `${GENERATED_CLIENT_ID_PREFIX}${orderId}`;
    this.out.push({
      type: 'OrderAccepted',
      seq: this.seq,
      ts: this.ts,
      orderId,
      userId,
      symbol,
      side: order.side,
      orderType: order.orderType,
      timeInForce: taker.timeInForce,
      price: taker.price,
      quantity: taker.quantity,
      quoteOrderQty: order.quoteOrderQty ?? 0,
      clientOrderId: taker.clientOrderId,
      stpMode,
    });

    if (taker.timeInForce === 'FOK' && !this.canFillCompletely(market)) {
      this.emitTakerEnd(market, 'OrderExpired', 'FOK');
      return;
    }

    const account = this.balances.account(userId);
    taker.locked = lock;
    if (lock > 0) this.change(account, spendAsset, -lock, lock, 'ORDER_LOCK');

    this.match(market, account);
    this.finish(market, account);
  }

  /** FOK: walks the book as matching would, without changing it. */
  private canFillCompletely(market: Market): boolean {
    const taker = this.taker;
    const opposite = taker.side === 'BUY' ? market.asks : market.bids;
    let wanted = taker.remaining;
    for (const level of opposite.levelsFromBest()) {
      if (!this.crosses(level.price)) return false;
      for (let maker = level.head; maker !== null; maker = maker.next) {
        if (maker.userId === taker.userId && taker.stpMode !== 'NONE') {
          if (taker.stpMode === 'EXPIRE_MAKER') continue;
          return false;
        }
        wanted -= maker.remaining;
        if (wanted <= 0) return true;
      }
    }
    return false;
  }

  private crosses(makerPrice: number): boolean {
    const taker = this.taker;
    if (taker.price === 0) return true;
    return taker.side === 'BUY' ? makerPrice <= taker.price : makerPrice >= taker.price;
  }

  /** Price-time priority: best level first, oldest order first within it. */
  private match(market: Market, takerAccount: Account): void {
    const taker = this.taker;
    const opposite = taker.side === 'BUY' ? market.asks : market.bids;
    for (;;) {
      const level = opposite.best();
      if (level === undefined) {
        if (taker.price === 0) taker.expireReason = 'NO_LIQUIDITY';
        return;
      }
      if (!this.crosses(level.price)) return;
      const maker = level.head!;
      if (maker.userId === taker.userId && taker.stpMode !== 'NONE') {
        const mode = taker.stpMode;
        if (mode === 'EXPIRE_MAKER' || mode === 'EXPIRE_BOTH')
          this.expireResting(market, maker, 'SELF_TRADE');
        if (mode === 'EXPIRE_TAKER' || mode === 'EXPIRE_BOTH') {
          taker.expireReason = 'SELF_TRADE';
          return;
        }
        continue;
      }
      const quantity = this.fillableQuantity(market, maker);
      if (quantity === 0) return;
      this.trade(market, takerAccount, maker, quantity);
      if (taker.filled) return;
    }
  }

  /** How much of `maker` the taker takes now; 0 when the taker can take nothing more. */
  private fillableQuantity(market: Market, maker: RestingOrder): number {
    const taker = this.taker;
    const price = maker.price;
    let quantity = maker.remaining;
    if (taker.target === 'BASE') {
      if (taker.remaining < quantity) quantity = taker.remaining;
    } else if (taker.side === 'BUY') {
      // By quote amount: what the rest of the amount buys, in whole lots.
      const affordable = market.affordableQuantity(taker.remaining, price);
      if (affordable < quantity) quantity = affordable;
      if (quantity === 0) taker.filled = true;
      return quantity;
    } else {
      // Selling for a quote amount: no more than raises it, in whole lots.
      const needed = market.affordableQuantity(taker.remaining, price);
      if (needed < quantity) quantity = needed;
      if (quantity === 0) {
        taker.filled = true;
        return 0;
      }
    }
    if (taker.budgeted) {
      const lot = market.spec.lotSize;
      const budget =
        taker.side === 'BUY'
          ? market.affordableQuantity(taker.locked, price)
          : taker.locked - (taker.locked % lot);
      if (budget < quantity) quantity = budget;
      if (quantity === 0) taker.expireReason = 'BALANCE';
    }
    return quantity;
  }

  private trade(market: Market, takerAccount: Account, maker: RestingOrder, quantity: number): void {
    const taker = this.taker;
    const price = maker.price;
    const quote = market.notional(price, quantity);
    const spec = market.spec;
    const takerBuys = taker.side === 'BUY';
    // Fees are taken from what each side receives, rounded down: never more than the published rate.
    const takerReceives = takerBuys ? quantity : quote;
    const makerReceives = takerBuys ? quote : quantity;
    const takerFee = feeOf(takerReceives, spec.takerFeePpm);
    const makerFee = feeOf(makerReceives, spec.makerFeePpm);

    taker.executed += quantity;
    taker.cumulativeQuote += quote;
    if (taker.target === 'BASE') taker.remaining -= quantity;
    else taker.remaining -= quote;
    taker.locked -= takerBuys ? quote : quantity;
    maker.executed += quantity;
    maker.cumulativeQuote += quote;
    maker.locked -= takerBuys ? quantity : quote;
    const book = takerBuys ? market.asks : market.bids;
    book.reduce(maker, quantity);

    const { seq, ts } = this;
    this.out.push({
      type: 'Trade',
      seq,
      ts,
      tradeId: this.nextTradeId++,
      symbol: spec.symbol,
      price,
      quantity,
      quoteQuantity: quote,
      takerSide: taker.side,
      takerOrderId: taker.orderId,
      takerUserId: taker.userId,
      makerOrderId: maker.orderId,
      makerUserId: maker.userId,
      takerFee,
      makerFee,
      takerExecutedQty: taker.executed,
      makerExecutedQty: maker.executed,
    });

    const makerAccount = this.balances.account(maker.userId);
    const base = market.base;
    const quoteAsset = market.quote;
    if (takerBuys) {
      this.change(takerAccount, quoteAsset, 0, -quote, 'TRADE');
      this.change(takerAccount, base, quantity - takerFee, 0, 'TRADE');
      this.change(makerAccount, base, 0, -quantity, 'TRADE');
      this.change(makerAccount, quoteAsset, quote - makerFee, 0, 'TRADE');
    } else {
      this.change(takerAccount, base, 0, -quantity, 'TRADE');
      this.change(takerAccount, quoteAsset, quote - takerFee, 0, 'TRADE');
      this.change(makerAccount, quoteAsset, 0, -quote, 'TRADE');
      this.change(makerAccount, base, quantity - makerFee, 0, 'TRADE');
    }
    if (takerFee > 0 || makerFee > 0) {
      const feeAccount = this.balances.account(FEE_ACCOUNT_ID);
      const takerFeeAsset = takerBuys ? base : quoteAsset;
      const makerFeeAsset = takerBuys ? quoteAsset : base;
      if (takerFee > 0) this.change(feeAccount, takerFeeAsset, takerFee, 0, 'FEE');
      if (makerFee > 0) this.change(feeAccount, makerFeeAsset, makerFee, 0, 'FEE');
    }

    if (maker.remaining === 0) {
      book.remove(maker);
      this.orders.remove(maker);
      this.out.push({
        type: 'OrderFilled',
        seq,
        ts,
        orderId: maker.orderId,
        userId: maker.userId,
        symbol: spec.symbol,
        executedQty: maker.executed,
        cumulativeQuoteQty: maker.cumulativeQuote,
      });
      this.releaseLeftover(makerAccount, maker.side === 'BUY' ? quoteAsset : base, maker.locked);
      maker.locked = 0;
    }
    if (taker.target === 'BASE' && taker.remaining === 0) taker.filled = true;
  }

  /** After matching: the taker fills, rests or expires, and gives back what it no longer needs. */
  private finish(market: Market, account: Account): void {
    const taker = this.taker;
    const isBuy = taker.side === 'BUY';
    const spendAsset = isBuy ? market.quote : market.base;
    if (taker.filled) {
      this.emitTakerEnd(market, 'OrderFilled', null);
    } else if (taker.expireReason !== null) {
      this.emitTakerEnd(market, 'OrderExpired', taker.expireReason);
    } else if (taker.timeInForce !== 'GTC') {
      this.emitTakerEnd(market, 'OrderExpired', taker.price === 0 ? 'NO_LIQUIDITY' : 'IOC');
    } else {
      const order = new RestingOrder(
        taker.orderId,
        taker.userId,
        taker.side,
        taker.price,
        taker.quantity,
        taker.clientOrderId,
        taker.stpMode,
        this.ts,
        market.spec.symbol,
        taker.userChoseClientId,
      );
      order.remaining = taker.remaining;
      order.executed = taker.executed;
      order.cumulativeQuote = taker.cumulativeQuote;
      // A buy that took liquidity below its limit keeps only what its remainder can cost at the limit.
      order.locked = isBuy ? market.notional(taker.price, taker.remaining) : taker.remaining;
      const excess = taker.locked - order.locked;
      taker.locked = 0;
      this.rest(market, order);
      this.releaseLeftover(account, spendAsset, excess);
      return;
    }
    this.releaseLeftover(account, spendAsset, taker.locked);
    taker.locked = 0;
  }

  private emitTakerEnd(
    market: Market,
    type: 'OrderFilled' | 'OrderExpired',
    reason: ExpireReason | null,
  ): void {
    const taker = this.taker;
    if (type === 'OrderFilled') {
      this.out.push({
        type,
        seq: this.seq,
        ts: this.ts,
        orderId: taker.orderId,
        userId: taker.userId,
        symbol: market.spec.symbol,
        executedQty: taker.executed,
        cumulativeQuoteQty: taker.cumulativeQuote,
      });
    } else {
      this.out.push({
        type,
        seq: this.seq,
        ts: this.ts,
        orderId: taker.orderId,
        userId: taker.userId,
        symbol: market.spec.symbol,
        clientOrderId: taker.clientOrderId,
        executedQty: taker.executed,
        cumulativeQuoteQty: taker.cumulativeQuote,
        reason: reason!,
      });
    }
  }

  private rest(market: Market, order: RestingOrder): void {
    (order.side === 'BUY' ? market.bids : market.asks).add(order);
    this.orders.add(order);
  }

  private cancelResting(market: Market, order: RestingOrder, reason: CancelReason): void {
    this.removeResting(market, order);
    this.out.push({
      type: 'OrderCanceled',
      seq: this.seq,
      ts: this.ts,
      orderId: order.orderId,
      userId: order.userId,
      symbol: order.symbol,
      clientOrderId: order.clientOrderId,
      executedQty: order.executed,
      cumulativeQuoteQty: order.cumulativeQuote,
      reason,
    });
    this.releaseOrderLock(market, order);
  }

  private expireResting(market: Market, order: RestingOrder, reason: ExpireReason): void {
    this.removeResting(market, order);
    this.out.push({
      type: 'OrderExpired',
      seq: this.seq,
      ts: this.ts,
      orderId: order.orderId,
      userId: order.userId,
      symbol: order.symbol,
      clientOrderId: order.clientOrderId,
      executedQty: order.executed,
      cumulativeQuoteQty: order.cumulativeQuote,
      reason,
    });
    this.releaseOrderLock(market, order);
  }

  private removeResting(market: Market, order: RestingOrder): void {
    (order.side === 'BUY' ? market.bids : market.asks).remove(order);
    this.orders.remove(order);
  }

  private releaseOrderLock(market: Market, order: RestingOrder): void {
    const asset = order.side === 'BUY' ? market.quote : market.base;
    this.releaseLeftover(this.balances.account(order.userId), asset, order.locked);
    order.locked = 0;
  }

  private releaseLeftover(account: Account, asset: AssetInfo, amount: number): void {
    if (amount > 0) this.change(account, asset, amount, -amount, 'ORDER_RELEASE');
  }

  // ---- helpers -------------------------------------------------------------------------------

  private change(
    account: Account,
    asset: AssetInfo,
    availableDelta: number,
    lockedDelta: number,
    reason:
      | 'DEPOSIT'
      | 'WITHDRAWAL_LOCK'
      | 'WITHDRAWAL_COMPLETE'
      | 'WITHDRAWAL_FAIL'
      | 'ORDER_LOCK'
      | 'ORDER_RELEASE'
      | 'TRADE'
      | 'FEE',
  ): void {
    this.balances.change(this.out, this.seq, this.ts, account, asset, availableDelta, lockedDelta, reason);
  }

  private reject(
    command: Command['type'],
    reason: RejectReason,
    userId: number,
    symbol: string,
    clientOrderId: string,
  ): void {
    this.out.push({
      type: 'Rejected',
      seq: this.seq,
      ts: this.ts,
      command,
      reason,
      userId: isUserId(userId) ? userId : 0,
      symbol,
      clientOrderId: typeof clientOrderId === 'string' ? clientOrderId : '',
    });
  }
}

function isUserId(userId: unknown): userId is number {
  return Number.isSafeInteger(userId) && (userId as number) > FEE_ACCOUNT_ID;
}

function feeOf(amount: number, ratePpm: number): number {
  if (ratePpm === 0) return 0;
  const product = amount * ratePpm;
  if (Number.isSafeInteger(product)) {
    // Exact: a safe product divided by 10^6, floored, with the float quotient corrected below.
    let fee = Math.floor(product / FEE_RATE_SCALE);
    if (fee * FEE_RATE_SCALE > product) fee--;
    return fee;
  }
  return Number((BigInt(amount) * BigInt(ratePpm)) / BigInt(FEE_RATE_SCALE));
}

function isValidMarketSpec(spec: MarketSpec, base: AssetInfo): boolean {
  const positive = (n: unknown) => isAmount(n) && n > 0;
  if (typeof spec.symbol !== 'string' || !SYMBOL_NAME.test(spec.symbol)) return false;
  if (!positive(spec.tickSize) || !positive(spec.lotSize) || !positive(spec.minQty) || !positive(spec.maxQty))
    return false;
  if (!isAmount(spec.minNotional)) return false;
  if (spec.minQty % spec.lotSize !== 0 || spec.maxQty % spec.lotSize !== 0 || spec.maxQty < spec.minQty)
    return false;
  for (const rate of [spec.makerFeePpm, spec.takerFeePpm]) {
    if (!Number.isInteger(rate) || rate < 0 || rate >= FEE_RATE_SCALE) return false;
  }
  if (!STP_MODES.includes(spec.defaultStpMode)) return false;
  // Every notional must be a whole number of quote minor units, so no trade ever rounds.
  return (BigInt(spec.tickSize) * BigInt(spec.lotSize)) % 10n ** BigInt(base.decimals) === 0n;
}
