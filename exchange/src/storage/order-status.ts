import type { OrderCanceled, OrderExpired, OrderFilled } from '../domain/events.ts';
import type { OrderStatus } from './read-model-rows.ts';

/** The status an order ends in, after Binance: SELF_TRADE expiries are EXPIRED_IN_MATCH. */
export function finalStatus(event: OrderFilled | OrderCanceled | OrderExpired): OrderStatus {
  switch (event.type) {
    case 'OrderFilled':
      return 'FILLED';
    case 'OrderCanceled':
      return 'CANCELED';
    case 'OrderExpired':
      return event.reason === 'SELF_TRADE' ? 'EXPIRED_IN_MATCH' : 'EXPIRED';
  }
}
