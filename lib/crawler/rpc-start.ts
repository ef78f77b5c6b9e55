import type { Logger } from '../log/logger.js';
import { rpcBatch, RpcFailure, type RpcEndpoint } from '../net/rpc.js';
import { RpcOutputs } from './fee-rpc.js';
import { UsageError } from './options.js';

/** --rpc-timeout's default: a line waits this long for Core at most. */
export const DEFAULT_RPC_TIMEOUT_MS = 5_000;

/** Our network names → Core's `getblockchaininfo` chain names. */
const CORE_CHAIN: Readonly<Record<string, string>> = { mainnet: 'main', testnet: 'test', testnet4: 'testnet4', signet: 'signet', regtest: 'regtest' };

/**
 * --rpc at start: Core must answer `getblockchaininfo`, on the crawl's network. No node, wrong
 * credentials or another chain is a one-line error (UsageError: exit 2) before any peer is dialled.
 * This check of the set-up waits at least DEFAULT_RPC_TIMEOUT_MS, whatever a shorter --rpc-timeout
 * (which bounds how long a line waits): a first answer costs a connection and a cold start.
 */
export async function startRpc(endpoint: RpcEndpoint, timeoutMs: number | undefined, network: string, log: Logger): Promise<RpcOutputs> {
  const ms = timeoutMs ?? DEFAULT_RPC_TIMEOUT_MS;
  let chain: unknown;
  try {
    const [info] = await rpcBatch(endpoint, [{ method: 'getblockchaininfo', params: [] }], Math.max(ms, DEFAULT_RPC_TIMEOUT_MS));
    if ('error' in info) throw new RpcFailure(info.error);
    chain = (info.result as { chain?: unknown } | null)?.chain;
  } catch (err) {
    // Whatever went wrong, the node the user named cannot be used: their set-up, one line.
    throw new UsageError(`--rpc: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (chain !== CORE_CHAIN[network]) throw new UsageError(`--rpc: that node is on ${String(chain)}, the crawl on ${network}`);
  log.info('--rpc: Core answers; fees of transactions spending outputs we did not see come from it', { url: endpoint.url, chain });
  return new RpcOutputs(endpoint, ms, log);
}
