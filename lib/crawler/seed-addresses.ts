import type { Logger } from '../log/logger.js';
import { parseEndpoint } from '../net/endpoint.js';
import { FIXED_SEEDS } from '../net/fixed-seeds.js';
import { askSeeds, systemLookup, type SeedLookup } from '../net/seeds.js';
import type { SeedAddress } from './discovery.js';
import { UsageError, type CrawlOptions } from './options.js';

/** How the seeds are reached (RunDeps' part of it): tests inject their own, never the internet. */
export interface SeedDeps {
  readonly lookup?: SeedLookup;
  readonly dnsTimeoutMs?: number;
  readonly fixedSeeds?: readonly string[];
}

/**
 * Where a crawl without --peers starts: the DNS seeds' answers, as learned addresses (Core's
 * ThreadDNSAddressSeed adds them to addrman; they are not kept connected). When every seed fails,
 * one line says so and the network's fixed seeds are used instead.
 */
export async function seedAddresses(opts: CrawlOptions, log: Logger, deps: SeedDeps): Promise<SeedAddress[]> {
  const net = opts.network;
  const fixed = (deps.fixedSeeds ?? FIXED_SEEDS[net.name]).map((s) => ({ target: parseEndpoint(s, net.defaultPort), source: 'fixed seed' }));
  if (net.dnsSeeds.length === 0 && fixed.length === 0) throw new UsageError(`${net.name} has no DNS seeds: name peers with --peers host:port`);
  const only = opts.reach?.onlyNet ?? [];
  // Core skips the DNS seeds when -onlynet forbids IPv4 and IPv6 (init.cpp).
  if (only.length > 0 && !only.includes('ipv4') && !only.includes('ipv6')) {
    throw new UsageError('--onlynet without ipv4 or ipv6 rules out the DNS seeds: name peers with --peers host:port');
  }
  // Through a proxy the seeds' names are resolved by it, never here (Core: with a name proxy,
  // ThreadDNSAddressSeed makes an address-fetch connection to each seed instead of a lookup):
  // each name is dialled once, as a learned address.
  if (opts.reach?.proxy) return net.dnsSeeds.map((seed) => ({ target: { host: seed, port: net.defaultPort }, source: seed }));
  const answers = await askSeeds(net.dnsSeeds, deps.lookup ?? systemLookup, deps.dnsTimeoutMs);
  const found: SeedAddress[] = [];
  const seen = new Set<string>();
  for (const a of answers) {
    if (a.error !== undefined) log.debug('DNS seed failed', { seed: a.seed, error: a.error });
    for (const host of a.addresses) {
      if (seen.has(host)) continue;
      seen.add(host);
      found.push({ target: { host, port: net.defaultPort }, source: a.seed });
    }
  }
  if (found.length > 0) {
    log.info('DNS seeds answered', { seeds: answers.filter((a) => a.error === undefined).length, of: answers.length, addresses: found.length });
    return found;
  }
  const why = answers.map((a) => `${a.seed}: ${a.error ?? 'no addresses'}`).join('; ');
  log.warn(`every DNS seed failed (${why || 'none configured'}): starting from ${fixed.length} fixed seeds`);
  return fixed;
}
