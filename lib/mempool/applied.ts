/**
 * The blocks the mempool view applied, so that a reorg can be undone as Core undoes it (pure).
 * Core's mempool follows its active chain: a block leaving it gives its transactions back to the
 * mempool, the new branch's blocks then confirm theirs (validation.cpp ActivateBestChainStep:
 * DisconnectTip into a DisconnectedBlockTransactions pool, ConnectTip, then
 * MaybeUpdateMempoolForReorg). The view follows the best header chain the same way, block by
 * block as they arrive: each best-chain block comes with its ancestors' keys (the header tree's,
 * parent first), and the nearest of them the view applied is the fork. The applied blocks above it
 * leave (tip first); the branch's blocks between the fork and the new one that arrived off the
 * best chain (held) join, oldest first; one that never arrived stays a gap, applied in place if
 * it comes later.
 *
 * Blocks are held (their bytes, as the caller gives them) to be undone or joined later, within
 * RECENT_BLOCK_BYTES_MAX and a count, the oldest let go first: a block that leaves after its bytes
 * went cannot give its transactions back (`lost`), as Core's pool drops the oldest past its bound.
 */

/** Core bounds the transactions a reorg gives back: kernel/disconnected_transactions.h MAX_DISCONNECTED_TX_POOL_BYTES (20 MB). Here, the held blocks' bytes. */
export const RECENT_BLOCK_BYTES_MAX = 20_000_000;

/** What a newly arrived best-chain block means for the view. */
export interface ChainPlan<B> {
  /** Applied blocks that left the chain, tip first. */
  readonly disconnect: readonly B[];
  /** Held blocks of the new branch to apply first, oldest first. */
  readonly connect: readonly B[];
  /** Blocks that left the chain whose bytes had been let go. */
  readonly lost: number;
  /** Whether the block itself is to be applied (false: it was already). */
  readonly apply: boolean;
}

interface Link {
  readonly key: string;
  /** Applied; false for a gap (an ancestor that never arrived). */
  done: boolean;
}

export class AppliedChain<B> {
  /** The applied chain, oldest first, `depth` links at most. */
  private links: Link[] = [];
  private readonly held = new Map<string, { readonly block: B; readonly bytes: number }>();
  private heldBytes = 0;

  /**
   * `depth`: links kept (as deep as a reorg is followed); `maxBlocks`, `maxBytes`: blocks held.
   */
  constructor(
    readonly depth: number,
    readonly maxBlocks: number,
    readonly maxBytes: number = RECENT_BLOCK_BYTES_MAX,
  ) {}

  get length(): number {
    return this.links.length;
  }

  /** Bytes of the held blocks. */
  get bytes(): number {
    return this.heldBytes;
  }

  /** Keeps a block off the best chain for a later reorg to it. */
  hold(key: string, block: B, bytes: number): void {
    if (this.held.has(key)) return;
    this.held.set(key, { block, bytes });
    this.heldBytes += bytes;
    for (const [k, h] of this.held) {
      if (this.held.size <= this.maxBlocks && this.heldBytes <= this.maxBytes) break;
      this.held.delete(k);
      this.heldBytes -= h.bytes;
    }
  }

  /** A block on the best chain arrived: what leaves, what joins. `ancestors`: its ancestors' keys, parent first (any number: `depth` are looked at). */
  connect(key: string, ancestors: readonly string[], block: B, bytes: number): ChainPlan<B> {
    const links = this.links;
    const at = this.indexOf(key);
    if (at >= 0) {
      // A gap filled (it arrived after its descendants), or a block seen again.
      const apply = !links[at].done;
      links[at].done = true;
      if (apply) this.hold(key, block, bytes);
      return { disconnect: [], connect: [], lost: 0, apply };
    }
    let fork = -1;
    let k = 0;
    for (; k < ancestors.length && k < this.depth; k++) if ((fork = this.indexOf(ancestors[k])) >= 0) break;
    if (fork < 0) {
      // Nothing in common within `depth`: the first block, or a branch deeper than followed. It
      // starts the chain, on its ancestors as gaps (a later block forking off one of them finds it).
      this.links = ancestors.slice(0, this.depth - 1).reverse().map((a) => ({ key: a, done: false }));
      this.links.push({ key, done: true });
      this.hold(key, block, bytes);
      return { disconnect: [], connect: [], lost: 0, apply: true };
    }
    const disconnect: B[] = [];
    let lost = 0;
    for (const l of links.splice(fork + 1).reverse()) {
      if (!l.done) continue;
      const h = this.held.get(l.key);
      if (h === undefined) lost++;
      else disconnect.push(h.block);
    }
    const connect: B[] = [];
    for (let j = k - 1; j >= 0; j--) {
      const h = this.held.get(ancestors[j]);
      links.push({ key: ancestors[j], done: h !== undefined });
      if (h !== undefined) connect.push(h.block);
    }
    links.push({ key, done: true });
    if (links.length > this.depth) links.splice(0, links.length - this.depth);
    // Held last: it may let go of the oldest held block, which the plan has taken already.
    this.hold(key, block, bytes);
    return { disconnect, connect, lost, apply: true };
  }

  private indexOf(key: string): number {
    for (let i = this.links.length - 1; i >= 0; i--) if (this.links[i].key === key) return i;
    return -1;
  }
}
