import type { Logger } from '../log/logger.js';
import { rpcBatch, type RpcAnswer, type RpcEndpoint } from '../net/rpc.js';
import type { Output } from '../mempool/outputs.js';

/** Calls in one JSON-RPC batch. */
export const RPC_BATCH_MAX = 500;
/** Batches awaiting Core's answer at once (Core's default -rpcthreads is 4 in 31; -rpcworkqueue 64). */
export const RPC_IN_FLIGHT_MAX = 4;
/** Outputs waiting for a batch; past it a line is printed at once, without its fee. */
export const RPC_QUEUE_MAX = 50_000;

interface Want {
  readonly txid: string;
  readonly vout: number;
  readonly resolve: (o: Output | undefined) => void;
}

interface CoreTxOut {
  readonly value: number;
  readonly scriptPubKey: { readonly hex: string };
}

const toOutput = (o: CoreTxOut | null | undefined): Output | undefined =>
  o && typeof o.value === 'number' && typeof o.scriptPubKey?.hex === 'string' ? { value: Math.round(o.value * 1e8), script: o.scriptPubKey.hex } : undefined;

/**
 * The outputs a transaction spends, asked of Bitcoin Core (--rpc) in batches: `gettxout` (the
 * chain's UTXO set, ignoring the mempool's spends), then `getrawtransaction` of the parents it did
 * not have (unconfirmed ones). Never holds an answer longer than `timeoutMs`: then the outputs are
 * unknown. A failing node is logged once, and once again when it answers again.
 */
export class RpcOutputs {
  private readonly queue: Want[] = [];
  private inFlight = 0;
  private scheduled = false;
  private failing = false;

  constructor(
    private readonly endpoint: RpcEndpoint,
    private readonly timeoutMs: number,
    private readonly log: Logger,
  ) {}

  /** The outputs at these outpoints (undefined where Core did not say, failed or was too slow). */
  outputs(outpoints: readonly { txid: string; vout: number }[]): Promise<(Output | undefined)[]> {
    if (this.queue.length + outpoints.length > RPC_QUEUE_MAX) return Promise.resolve(outpoints.map(() => undefined));
    const answers = outpoints.map((o) => new Promise<Output | undefined>((resolve) => this.queue.push({ ...o, resolve })));
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.pump();
      });
    }
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<(Output | undefined)[]>((resolve) => (timer = setTimeout(() => resolve(outpoints.map(() => undefined)), this.timeoutMs)));
    return Promise.race([Promise.all(answers), late]).finally(() => clearTimeout(timer));
  }

  private pump(): void {
    while (this.inFlight < RPC_IN_FLIGHT_MAX && this.queue.length > 0) {
      const batch = this.queue.splice(0, RPC_BATCH_MAX);
      this.inFlight++;
      this.ask(batch)
        .catch((err: unknown) => {
          for (const w of batch) w.resolve(undefined);
          this.failed(err);
        })
        .finally(() => {
          this.inFlight--;
          this.pump();
        });
    }
  }

  private async ask(batch: readonly Want[]): Promise<void> {
    const first = await rpcBatch(this.endpoint, batch.map((w) => ({ method: 'gettxout', params: [w.txid, w.vout, false] })), this.timeoutMs);
    const rest: Want[] = [];
    batch.forEach((w, i) => {
      const o = 'result' in first[i] ? toOutput(first[i].result as CoreTxOut | null) : undefined;
      if (o) w.resolve(o);
      else rest.push(w);
    });
    if (rest.length > 0) {
      const txids = [...new Set(rest.map((w) => w.txid))];
      const txs = await rpcBatch(this.endpoint, txids.map((t) => ({ method: 'getrawtransaction', params: [t, 1] })), this.timeoutMs);
      const byTxid = new Map<string, RpcAnswer>(txids.map((t, i) => [t, txs[i]]));
      for (const w of rest) {
        const a = byTxid.get(w.txid);
        const vout = a && 'result' in a ? (a.result as { vout?: CoreTxOut[] } | null)?.vout?.[w.vout] : undefined;
        w.resolve(toOutput(vout));
      }
    }
    if (this.failing) {
      this.failing = false;
      this.log.info('--rpc answers again: fees from Core resume');
    }
  }

  private failed(err: unknown): void {
    if (this.failing) return;
    this.failing = true;
    this.log.warn('--rpc failed: lines are printed without the fees it would give, until it answers again', { error: err instanceof Error ? err.message : String(err) });
  }
}
