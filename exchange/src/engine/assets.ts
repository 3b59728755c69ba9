/** The asset registry: names to dense indexes, so balances are arrays rather than maps. */
export interface AssetInfo {
  readonly name: string;
  readonly decimals: number;
  readonly index: number;
  /** Deposits minus completed withdrawals: what all accounts together hold. Capped at MAX_SAFE_INTEGER. */
  supply: number;
}

export class AssetRegistry {
  private readonly list: AssetInfo[] = [];
  private readonly byName = new Map<string, AssetInfo>();

  add(name: string, decimals: number): AssetInfo {
    const info: AssetInfo = { name, decimals, index: this.list.length, supply: 0 };
    this.list.push(info);
    this.byName.set(name, info);
    return info;
  }

  get(name: string): AssetInfo | undefined {
    return this.byName.get(name);
  }

  at(index: number): AssetInfo {
    return this.list[index]!;
  }

  all(): readonly AssetInfo[] {
    return this.list;
  }
}
