/** Scripted peers and `crawl` processes for a spec file, all closed after each test. */
import { afterEach } from 'vitest';
import { CrawlProcess } from './crawl-process.js';
import { scriptedPeer, type ScriptedConnection, type ScriptedPeer } from './scripted-peer.js';

export interface CrawlFixtures {
  /** A scripted peer on 127.0.0.1 (or another loopback address). */
  listen(script: (c: ScriptedConnection) => Promise<void>, host?: string): Promise<ScriptedPeer>;
  /** The real `crawl` command on regtest, with these further arguments. */
  crawl(...args: string[]): CrawlProcess;
}

export function crawlFixtures(): CrawlFixtures {
  let peers: ScriptedPeer[] = [];
  let crawlers: CrawlProcess[] = [];
  afterEach(async () => {
    await Promise.all(crawlers.map((c) => c.stop('SIGKILL')));
    await Promise.all(peers.map((p) => p.close()));
    peers = [];
    crawlers = [];
  });
  return {
    async listen(script, host) {
      const p = await scriptedPeer(script, host);
      peers.push(p);
      return p;
    },
    crawl(...args) {
      const c = new CrawlProcess(['--network', 'regtest', ...args]);
      crawlers.push(c);
      return c;
    },
  };
}
