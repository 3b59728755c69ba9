/**
 * A whole HTTP/1.1 answer with a Binance `{code, msg}` body, for the places that write to the raw
 * socket because no ServerResponse exists: what Node's parser refused, and refused WebSocket upgrades.
 * The connection closes after it.
 */
export function rawJsonAnswer(
  status: number,
  reason: string,
  body: Record<string, unknown>,
  headers: Readonly<Record<string, string | number>> = {},
): string {
  const json = JSON.stringify(body);
  const extra = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return (
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json;charset=UTF-8\r\n` +
    `${extra}Content-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`
  );
}
