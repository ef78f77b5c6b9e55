import { BoundedSet } from '../crawler/bounded-set.js';

/**
 * Merging what several crawlers (vantages) saw into one line per transaction or block: how far
 * apart in time the vantages first heard of it. Pure: no clock, no I/O; the caller says what time
 * it is, so the windows are tested with plain numbers.
 */

export type SightingKind = 'tx' | 'block';

/** One vantage's line about one item, reduced to what the merge needs. Times in seconds (as in lines). */
export interface Sighting {
  readonly kind: SightingKind;
  /** txid (tx) or block hash (block). */
  readonly id: string;
  readonly vantage: string;
  /** When this vantage first heard of the item: the first announcement (tx) or the delivery (block). */
  readonly first: number;
  /** How many of this vantage's peers had announced it by delivery (tx lines only). */
  readonly peers?: number;
}

export interface VantageView {
  first: number;
  peers?: number;
}

/** The merged line's object: `{"event":"propagation","kind",txid|hash,"vantages",…}`. */
export interface PropagationView {
  readonly event: 'propagation';
  readonly kind: SightingKind;
  readonly txid?: string;
  readonly hash?: string;
  readonly vantages: Record<string, VantageView>;
  readonly first_vantage: string;
  readonly spread_ms: number;
}

export interface MergeLimits {
  /** How long after its first line arrived a group is closed and printed. */
  readonly windowMs: number;
  /** Groups open at once at most; past it the oldest is closed early (memory stays bounded). */
  readonly maxOpen: number;
  /** Closed groups remembered, so a late line for one is recognised (and not printed twice). */
  readonly maxRemembered: number;
  /** Vantages per group at most; a sighting from one more is counted (`over`) and left out. */
  readonly maxVantages?: number;
  /** What the open groups hold, in (estimated) bytes at most; past it the oldest are closed early. */
  readonly maxHeldBytes?: number;
}

/** Open groups at most: ~100 k transactions per window is far above the network's rate (~10 tx/s). */
export const MAX_OPEN_GROUPS = 100_000;
/** Closed ids remembered: a few hours of the network's transactions. */
export const MAX_REMEMBERED = 200_000;
export const DEFAULT_WINDOW_S = 30;
/**
 * Vantages in one group at most: a deployment has a handful of crawlers, so a thousand is far above
 * any real one; a file or a publisher naming more (1.5 million for one txid took 1.1 GB and one
 * 114 MB line) costs a count, not memory.
 */
export const MAX_VANTAGES = 1_000;
/** Bytes the open groups hold at most (estimated: see SIGHTING_BYTES); past it the oldest are printed early. */
export const MAX_HELD_BYTES = 64 * 1024 * 1024;
/** A vantage name's characters at most (crawl's --vantage takes 64; a file's name may be longer). */
export const MAX_VANTAGE_CHARS = 255;
/** What a group and a sighting cost beyond their strings (Map entries, objects, array slots), estimated high. */
export const GROUP_BYTES = 512;
export const SIGHTING_BYTES = 160;

/** A closed group: its line and the tokens (e.g. bus messages to acknowledge) of its sightings. */
export interface Closed<T> {
  readonly view: PropagationView;
  readonly tokens: readonly T[];
  /** True when it was closed before its window, to stay within `maxOpen`. */
  readonly early: boolean;
}

/** `over`: the group has MAX_VANTAGES already and this vantage is not one of them (its token is the caller's). */
export type AddResult = 'opened' | 'joined' | 'late' | 'over';

interface Group<T> {
  readonly kind: SightingKind;
  readonly id: string;
  readonly deadline: number;
  readonly vantages: Map<string, VantageView>;
  readonly tokens: T[];
  bytes: number;
}

function keyOf(kind: SightingKind, id: string): string {
  return `${kind}:${id}`;
}

function viewOf<T>(g: Group<T>): PropagationView {
  let firstVantage = '';
  let min = Infinity;
  let max = -Infinity;
  // Names in order, so a tie between vantages always goes to the same one.
  const names = [...g.vantages.keys()].sort();
  // No prototype: a vantage named "__proto__" (or "constructor") is a key like any other.
  const vantages = Object.create(null) as Record<string, VantageView>;
  for (const name of names) {
    const v = g.vantages.get(name) as VantageView;
    vantages[name] = v.peers === undefined ? { first: v.first } : { first: v.first, peers: v.peers };
    if (v.first < min) {
      min = v.first;
      firstVantage = name;
    }
    if (v.first > max) max = v.first;
  }
  return {
    event: 'propagation',
    kind: g.kind,
    ...(g.kind === 'tx' ? { txid: g.id } : { hash: g.id }),
    vantages,
    first_vantage: firstVantage,
    spread_ms: Math.round((max - min) * 1000),
  };
}

export class Propagation<T = void> {
  private readonly open = new Map<string, Group<T>>();
  private readonly closed: BoundedSet<string>;
  private held = 0;

  constructor(private readonly limits: MergeLimits) {
    this.closed = new BoundedSet(limits.maxRemembered);
  }

  get openCount(): number {
    return this.open.size;
  }

  /** What the open groups hold (estimated bytes: strings at 2 bytes a character, plus GROUP_BYTES and SIGHTING_BYTES). */
  get heldBytes(): number {
    return this.held;
  }

  /**
   * One sighting at time `now` (ms). A line for an item already printed is `late` (its token is
   * the caller's to settle), as is one `over` MAX_VANTAGES. `evicted`: groups closed early because
   * `maxOpen` or `maxHeldBytes` was reached. `tokenBytes`: what the token holds (a reply subject), for
   * the byte bound; an undefined token is not kept.
   */
  add(s: Sighting, now: number, token: T, tokenBytes = 0): { result: AddResult; evicted: Closed<T>[] } {
    const key = keyOf(s.kind, s.id);
    if (this.closed.has(key)) return { result: 'late', evicted: [] };
    let g = this.open.get(key);
    const evicted: Closed<T>[] = [];
    let result: AddResult = 'joined';
    const had = g?.vantages.get(s.vantage);
    if (g && had === undefined && g.vantages.size >= (this.limits.maxVantages ?? MAX_VANTAGES)) return { result: 'over', evicted };
    if (!g) {
      while (this.open.size >= this.limits.maxOpen) evicted.push(this.close(this.open.values().next().value as Group<T>, true));
      g = { kind: s.kind, id: s.id, deadline: now + this.limits.windowMs, vantages: new Map(), tokens: [], bytes: GROUP_BYTES + 2 * key.length };
      this.open.set(key, g);
      this.held += g.bytes;
      result = 'opened';
    }
    const cost = (token === undefined ? 0 : SIGHTING_BYTES + tokenBytes) + (had === undefined ? SIGHTING_BYTES + 2 * s.vantage.length : 0);
    if (token !== undefined) g.tokens.push(token);
    g.bytes += cost;
    this.held += cost;
    // The same vantage twice (a crawler restarted, a line redelivered): its earliest sighting, most peers.
    const first = had === undefined ? s.first : Math.min(had.first, s.first);
    const peers = s.peers === undefined ? had?.peers : Math.max(s.peers, had?.peers ?? 0);
    g.vantages.set(s.vantage, peers === undefined ? { first } : { first, peers });
    // Over the byte bound: the oldest groups are printed early (this one last of all, being the newest).
    const maxHeld = this.limits.maxHeldBytes ?? MAX_HELD_BYTES;
    while (this.held > maxHeld && this.open.size > 0) evicted.push(this.close(this.open.values().next().value as Group<T>, true));
    return { result, evicted };
  }

  /** Groups whose window has passed by `now` (ms), oldest first. */
  due(now: number): Closed<T>[] {
    const out: Closed<T>[] = [];
    // Deadlines grow with insertion as long as `now` does not go back: the first not due ends it.
    for (const g of this.open.values()) {
      if (g.deadline > now) break;
      out.push(this.close(g, false));
    }
    return out;
  }

  /** When the next group falls due (ms), if any is open. */
  nextDeadline(): number | undefined {
    return this.open.values().next().value?.deadline;
  }

  /** Every open group, closed now (the end of the input). */
  flush(): Closed<T>[] {
    return [...this.open.values()].map((g) => this.close(g, false));
  }

  /** Every open group's tokens, forgotten without printing (a shutdown that leaves them to the next run). */
  abandon(): T[] {
    const tokens = [...this.open.values()].flatMap((g) => g.tokens);
    this.open.clear();
    this.held = 0;
    return tokens;
  }

  private close(g: Group<T>, early: boolean): Closed<T> {
    const key = keyOf(g.kind, g.id);
    this.open.delete(key);
    this.held -= g.bytes;
    this.closed.add(key);
    return { view: viewOf(g), tokens: g.tokens, early };
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const HEX_ID = /^[0-9a-f]{64}$/;

/**
 * A tx or block line (as `crawl` prints it, with `vantage` as published on the bus) → a sighting;
 * `vantage` names it when the line does not (a file per vantage). Anything else → undefined.
 */
export function sightingOf(line: unknown, vantage?: string): Sighting | undefined {
  if (!isRecord(line) || !isRecord(line.seen)) return undefined;
  const name = typeof line.vantage === 'string' && line.vantage !== '' ? line.vantage : vantage;
  if (name === undefined || name.length > MAX_VANTAGE_CHARS) return undefined;
  const seen = line.seen;
  if (line.event === 'tx' && typeof line.txid === 'string' && HEX_ID.test(line.txid)) {
    const first = isRecord(seen.first) && typeof seen.first.time === 'number' ? seen.first.time : seen.time;
    if (typeof first !== 'number' || !Number.isFinite(first)) return undefined;
    const peers = typeof seen.peers === 'number' && Number.isInteger(seen.peers) && seen.peers >= 0 ? seen.peers : undefined;
    return peers === undefined ? { kind: 'tx', id: line.txid, vantage: name, first } : { kind: 'tx', id: line.txid, vantage: name, first, peers };
  }
  if (line.event === 'block' && typeof line.hash === 'string' && HEX_ID.test(line.hash)) {
    if (typeof seen.time !== 'number' || !Number.isFinite(seen.time)) return undefined;
    return { kind: 'block', id: line.hash, vantage: name, first: seen.time };
  }
  return undefined;
}
