/**
 * Which peers we ask to announce new blocks by cmpctblock at once (BIP 152 high-bandwidth mode),
 * chosen as Core's MaybeSetPeerAsAnnouncingHeaderAndIDs (net_processing.cpp) chooses them: the
 * last peers that delivered a new valid block first, at most three; a fourth replaces the oldest,
 * which is told `sendcmpct(false)`. Only peers that sent `sendcmpct` with version 2 qualify
 * (Core's m_provides_cmpctblocks). Every peer of a crawler is outbound, so Core's care for its
 * last outbound high-bandwidth peer does not arise. Pure: it answers with what to send.
 */
import type { PeerId } from './inventory.js';

/** BIP 152: "at most 3" high-bandwidth peers (net_processing.cpp lNodesAnnouncingHeaderAndIDs). */
export const MAX_HIGH_BANDWIDTH_PEERS = 3;
/** net_processing.cpp CMPCTBLOCKS_VERSION: compact blocks with wtxid short ids (BIP 152 version 2). */
export const CMPCTBLOCKS_VERSION = 2n;

export interface SendCmpct {
  readonly peer: PeerId;
  readonly announce: boolean;
}

export class HighBandwidthPeers {
  /** Peers that offered compact blocks version 2. */
  private readonly capable = new Set<PeerId>();
  /** Oldest first. */
  private readonly chosen: PeerId[] = [];

  /** A peer's sendcmpct: only version 2 counts (Core ignores other versions). */
  offered(peer: PeerId, version: bigint): void {
    if (version === CMPCTBLOCKS_VERSION) this.capable.add(peer);
  }

  /** It offered compact blocks version 2 (Core's m_provides_cmpctblocks): a block may be asked of it as one. */
  provides(peer: PeerId): boolean {
    return this.capable.has(peer);
  }

  /** `peer` delivered a new valid block first: it becomes (or stays, as the newest) high-bandwidth. */
  delivered(peer: PeerId): SendCmpct[] {
    if (!this.capable.has(peer)) return [];
    const at = this.chosen.indexOf(peer);
    if (at !== -1) {
      this.chosen.splice(at, 1);
      this.chosen.push(peer);
      return [];
    }
    const out: SendCmpct[] = [];
    if (this.chosen.length >= MAX_HIGH_BANDWIDTH_PEERS) out.push({ peer: this.chosen.shift() as PeerId, announce: false });
    this.chosen.push(peer);
    out.push({ peer, announce: true });
    return out;
  }

  /**
   * A peer left. Core keeps its id in the list until a newer one pushes it out; we free its slot
   * at once, so that three live peers can announce.
   */
  down(peer: PeerId): void {
    this.capable.delete(peer);
    const at = this.chosen.indexOf(peer);
    if (at !== -1) this.chosen.splice(at, 1);
  }

  get highBandwidth(): readonly PeerId[] {
    return this.chosen;
  }
}
