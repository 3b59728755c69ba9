/**
 * Wakes every waiter at once when something changed (a batch became durable, the journal closed).
 * Waiters re-check the state themselves, so a missed or extra wake-up is harmless.
 */
export class Pulse {
  private current: PromiseWithResolvers<void> = Promise.withResolvers<void>();

  wait(): Promise<void> {
    return this.current.promise;
  }

  fire(): void {
    const fired = this.current;
    this.current = Promise.withResolvers<void>();
    fired.resolve();
  }
}
