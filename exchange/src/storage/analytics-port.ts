/**
 * Analytics: the heavy read queries, which run on the binlog replica of the trading database and
 * nowhere else, so that they never compete with the projection or the API for the primary. Every
 * answer carries the replica's lag, since it trails the primary.
 */
export interface AnalyticsPort {
  /** Per market and UTC day, days in ascending order. */
  marketDays(query: MarketDayQuery): Promise<readonly MarketDayRow[]>;
  /** A user's traded volume and fees paid per market, in a time range. */
  userVolume(query: UserVolumeQuery): Promise<readonly UserVolumeRow[]>;
  /** How far the replica trails. */
  lag(): Promise<ReplicaLag>;
  close(): Promise<void>;
}

export const DAY_MS = 86_400_000;

export interface MarketDayQuery {
  /** @default - every market */
  readonly symbol?: string;
  /** Days starting at or after, UTC ms. @default - the first */
  readonly startTime?: number;
  /** Days starting at or before, UTC ms. @default - the last */
  readonly endTime?: number;
}

export interface MarketDayRow {
  readonly symbol: string;
  /** UTC ms of the day's start. */
  readonly day: number;
  /** Base quantity traded, minor units. */
  readonly volume: number;
  readonly quoteVolume: number;
  readonly tradeCount: number;
  /** Fees collected, in the asset each side received: base from buyers, quote from sellers. */
  readonly baseFees: number;
  readonly quoteFees: number;
  readonly base: string;
  readonly quote: string;
  /** Users who were taker or maker of at least one trade that day. */
  readonly activeTraders: number;
  /** Orders accepted that day. */
  readonly ordersPlaced: number;
  /** ordersPlaced / tradeCount; null on a day without trades. */
  readonly orderToTradeRatio: number | null;
}

export interface UserVolumeQuery {
  readonly userId: number;
  /** Trades at or after, ms. */
  readonly startTime?: number;
  /** Trades at or before, ms. */
  readonly endTime?: number;
}

export interface UserVolumeRow {
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  /** Sides of trades the user was on (a self-trade is two). */
  readonly trades: number;
  readonly volume: number;
  readonly quoteVolume: number;
  /** Fees paid in base (as buyer) and in quote (as seller). */
  readonly baseFees: number;
  readonly quoteFees: number;
}

export interface ReplicaLag {
  /** MariaDB's own estimate; null while replication is stopped or reconnecting. */
  readonly secondsBehindPrimary: number | null;
  /** Both replication threads are running. */
  readonly replicating: boolean;
  /** The projection position the replica holds (the primary's last committed batch it has applied). */
  readonly replicaSeq: number;
  readonly lastError: string;
}
