/**
 * The metric names and label names a PromQL expression reads, enough for the expressions Bourse's
 * rules and dashboards hold (selectors, aggregations with by/without, functions, ranges, binary
 * operators). Not a PromQL parser: it finds selectors, so it must never miss one; anything it does
 * not understand is reported by the test as an unknown metric, which fails loudly.
 */
export interface SelectorUse {
  readonly metric: string;
  /** Label names the expression matches on or groups by for this metric. */
  readonly labels: readonly string[];
}

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset']);
const OPERATORS = new Set(['and', 'or', 'unless', 'atan2']);

export function selectorsOf(expr: string): SelectorUse[] {
  // Ranges and subqueries ([5m], [1h:1m]) hold durations, not names.
  let text = expr.replace(/\[[^\]]*\]/g, ' ');
  // Grouping clauses name labels of every selector they aggregate.
  const grouping: string[] = [];
  text = text.replace(
    /\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g,
    (_m, _kw, list: string) => {
      grouping.push(
        ...list
          .split(',')
          .map((l) => l.trim())
          .filter((l) => l !== ''),
      );
      return ' ';
    },
  );
  const uses: SelectorUse[] = [];
  // name{matchers}, name alone, or {__name__="..."}.
  const token = /([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*(\{[^}]*\})?\s*(\()?|"(?:[^"\\]|\\.)*"|[0-9.]+[a-z]*/g;
  for (const match of text.matchAll(token)) {
    const [whole, name, braces, call] = match;
    if (whole.trim() === '' || whole.startsWith('"') || /^[0-9.]/.test(whole)) continue;
    if (name !== undefined && braces === undefined && call !== undefined) continue; // a function or aggregation
    if (name !== undefined && (KEYWORDS.has(name) || OPERATORS.has(name))) continue;
    const labels = braces === undefined ? [] : matcherLabels(braces);
    let metric = name;
    if (metric === undefined) {
      if (braces === undefined) continue;
      metric = /__name__\s*=\s*"([^"]+)"/.exec(braces)?.[1];
      if (metric === undefined) throw new Error(`a selector without a metric name in ${expr}`);
    }
    uses.push({ metric, labels: [...new Set([...labels.filter((l) => l !== '__name__'), ...grouping])] });
  }
  return uses;
}

function matcherLabels(braces: string): string[] {
  return [...braces.slice(1, -1).matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)].map((m) => m[1]!);
}

/** The `expr:` values of a vmalert rule file (one-line or block scalars). */
export function ruleExpressions(yaml: string): string[] {
  const lines = yaml.split('\n');
  const exprs: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)(?:-\s+)?expr:\s*(.*)$/.exec(lines[i]!);
    if (m === null) continue;
    const value = m[2]!.trim();
    if (value === '|' || value === '>' || value === '|-' || value === '>-') {
      const block: string[] = [];
      const indent = m[1]!.length;
      while (i + 1 < lines.length && (lines[i + 1]!.trim() === '' || leading(lines[i + 1]!) > indent)) {
        block.push(lines[++i]!.trim());
      }
      exprs.push(block.join(' '));
    } else {
      exprs.push(value.replace(/^(['"])(.*)\1$/, '$2'));
    }
  }
  return exprs;
}

function leading(line: string): number {
  return line.length - line.trimStart().length;
}

/** Every `expr` of a Grafana dashboard's panels' targets. */
export function dashboardExpressions(json: string): string[] {
  const exprs: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) for (const item of node) walk(item);
    else if (typeof node === 'object' && node !== null) {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'expr' && typeof value === 'string') exprs.push(value);
        else walk(value);
      }
    }
  };
  walk(JSON.parse(json));
  return exprs;
}

/** Metric name → label names seen, from a Prometheus text exposition. */
export function exposedMetrics(text: string): Map<string, Set<string>> {
  const metrics = new Map<string, Set<string>>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s/.exec(line);
    if (m === null) throw new Error(`not an exposition line: ${line}`);
    const labels = metrics.get(m[1]!) ?? new Set<string>();
    for (const l of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)) labels.add(l[1]!);
    metrics.set(m[1]!, labels);
  }
  return metrics;
}
