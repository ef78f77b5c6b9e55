/**
 * A Bitcoin Core JSON-RPC client (HTTP POST, basic auth, JSON-RPC 1.0 batches), for --rpc: the
 * outputs a relayed transaction spends, which a P2P crawler does not see. Every call has a
 * deadline; nothing here retries.
 */

/** Where Core answers, with the Authorization header (from the URL's user:password or Core's .cookie). */
export interface RpcEndpoint {
  /** The URL without credentials (what logs may show). */
  readonly url: string;
  readonly authorization: string;
}

export class RpcFailure extends Error {
  override readonly name = 'RpcFailure';
}

/** `http://user:password@host:port/` (and optionally the contents of Core's `.cookie`, `__cookie__:hex`). */
export function rpcEndpoint(url: string, cookie?: string): RpcEndpoint {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RpcFailure(`not a URL: "${url}"`);
  }
  if (u.protocol !== 'http:') throw new RpcFailure(`Core's RPC speaks http://, not ${u.protocol}`);
  const creds = cookie?.trim() ?? (u.username === '' ? undefined : `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`);
  if (creds === undefined) throw new RpcFailure('no credentials: give user:password in the URL or --rpc-cookie FILE');
  u.username = '';
  u.password = '';
  return { url: u.toString(), authorization: 'Basic ' + Buffer.from(creds).toString('base64') };
}

export interface RpcCall {
  readonly method: string;
  readonly params: readonly unknown[];
}

/** One call's answer: its result, or Core's error message. */
export type RpcAnswer = { readonly result: unknown } | { readonly error: string };

/** Posts `calls` as one batch; resolves with one answer per call, in order. Rejects (RpcFailure) on HTTP, network or timeout failure. */
export async function rpcBatch(e: RpcEndpoint, calls: readonly RpcCall[], timeoutMs: number): Promise<RpcAnswer[]> {
  let res: Response;
  try {
    res = await fetch(e.url, {
      method: 'POST',
      headers: { authorization: e.authorization, 'content-type': 'application/json' },
      body: JSON.stringify(calls.map((c, id) => ({ jsonrpc: '1.0', id, method: c.method, params: c.params }))),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    const name = (err as Error).name;
    throw new RpcFailure(name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `cannot reach ${e.url} (${cause ?? (err as Error).message})`);
  }
  if (res.status === 401) {
    await res.body?.cancel().catch(() => {}); // let the connection go now, not at the deadline
    throw new RpcFailure(`${e.url}: wrong user or password (HTTP 401)`);
  }
  let text: string;
  try {
    text = await res.text(); // the deadline still runs while the body comes
  } catch (err) {
    throw new RpcFailure(`${e.url}: the answer broke off (${(err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (err as Error).message})`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new RpcFailure(`${e.url}: HTTP ${res.status}, not JSON`);
  }
  if (!Array.isArray(body)) throw new RpcFailure(`${e.url}: HTTP ${res.status}, not a batch answer`);
  const out = new Array<RpcAnswer>(calls.length).fill({ error: 'no answer' });
  for (const item of body as { id?: unknown; result?: unknown; error?: { message?: string } | null }[]) {
    if (typeof item?.id !== 'number' || item.id < 0 || item.id >= calls.length) continue;
    out[item.id] = item.error ? { error: String(item.error.message ?? 'error') } : { result: item.result };
  }
  return out;
}
