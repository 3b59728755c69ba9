/** One alert as Alertmanager's webhook (version 4) delivers it. */
export interface Alert {
  readonly status: 'firing' | 'resolved';
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly startsAt: string;
  readonly fingerprint?: string;
}

/** What the controller does about an alert, chosen by its `remediation` label. */
export type Runbook =
  | { readonly kind: 'restart'; readonly service: string }
  | { readonly kind: 'fail-over-engine' }
  | { readonly kind: 'add-gateway' }
  | { readonly kind: 'halt-market'; readonly symbol: string }
  | { readonly kind: 'none'; readonly why: string };

/** The runbook of an alert; a label the controller does not know maps to `none`, saying so. */
export function runbookFor(alert: Alert): Runbook {
  const { remediation, service, symbol } = alert.labels;
  switch (remediation) {
    case 'restart':
      return service === undefined
        ? { kind: 'none', why: 'remediation=restart without a service label' }
        : { kind: 'restart', service };
    case 'failover':
      return { kind: 'fail-over-engine' };
    case 'scale-out':
      return { kind: 'add-gateway' };
    case 'halt-market':
      return symbol === undefined
        ? { kind: 'none', why: 'remediation=halt-market without a symbol label' }
        : { kind: 'halt-market', symbol };
    case 'none':
    case undefined:
      return { kind: 'none', why: 'the alert asks for no action' };
    default:
      return { kind: 'none', why: `unknown remediation ${JSON.stringify(remediation)}` };
  }
}

/** The alert's identity: Alertmanager's fingerprint, else its sorted labels. */
export function alertKey(alert: Alert): string {
  if (alert.fingerprint !== undefined) return alert.fingerprint;
  return Object.keys(alert.labels)
    .sort()
    .map((k) => `${k}=${alert.labels[k]}`)
    .join(',');
}
