/** DNS seeds: each name resolved to the addresses of nodes that run the network, with a deadline. */
import { lookup } from 'node:dns/promises';

/** A name → its IPv4/IPv6 addresses; injectable so tests never ask the internet. */
export type SeedLookup = (name: string) => Promise<readonly string[]>;

/** The system resolver (getaddrinfo, as Core's ThreadDNSAddressSeed uses through LookupHost). */
export const systemLookup: SeedLookup = async (name) => (await lookup(name, { all: true })).map((a) => a.address);

/**
 * How long one seed may take to answer. Core has no deadline of its own (getaddrinfo's is the
 * resolver's, often 5 s × attempts); a crawler that starts from seeds should not hang on one.
 */
export const DNS_LOOKUP_TIMEOUT_MS = 10_000;

/** Addresses taken from each DNS seed (Core keeps what fits its addrman; seeds answer ~25). */
export const MAX_ADDRESSES_PER_SEED = 32;

export interface SeedAnswer {
  readonly seed: string;
  /** Its addresses (at most MAX_ADDRESSES_PER_SEED), or why it gave none. */
  readonly addresses: readonly string[];
  readonly error?: string;
}

function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

/** Asks every seed at once; never rejects: a seed that fails or times out says why. */
export async function askSeeds(seeds: readonly string[], resolve: SeedLookup, timeoutMs = DNS_LOOKUP_TIMEOUT_MS): Promise<SeedAnswer[]> {
  return Promise.all(
    seeds.map(async (seed): Promise<SeedAnswer> => {
      try {
        const addresses = await withDeadline(resolve(seed), timeoutMs, seed);
        if (addresses.length === 0) return { seed, addresses, error: 'no addresses' };
        return { seed, addresses: [...new Set(addresses)].slice(0, MAX_ADDRESSES_PER_SEED) };
      } catch (err) {
        return { seed, addresses: [], error: err instanceof Error ? err.message : String(err) };
      }
    }),
  );
}
