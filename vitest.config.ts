import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files that take longest (`npx vitest run --reporter=json`, 2-core machine), longest first.
 * They start first so that none is left running alone at the end; a fresh clone (CI) has no
 * duration cache, and vitest's fallback order (largest file first) is not duration.
 */
const LONGEST_FIRST = [
  'spec/crawler/gossip-flood-cli.spec.ts',
  'spec/e2e/crawl-regtest.spec.ts',
  'spec/e2e/core.spec.ts',
  'spec/merge/vantages-cli.spec.ts',
  'spec/crawler/shutdown-cli.spec.ts',
  'spec/crawler/crawl-cli.spec.ts',
  'spec/crawler/reach-cli.spec.ts',
  'spec/crawler/txid-history.spec.ts',
  'spec/crawler/memory.spec.ts',
  'spec/cli.spec.ts',
  'spec/merge/files-cli.spec.ts',
  'spec/report/report-cli.spec.ts',
  'spec/crawler/scale-cli.spec.ts',
  'spec/transport/fuzz.spec.ts',
  'spec/hostile/state-floods.spec.ts',
  'spec/crawler/discovery-cli.spec.ts',
  'spec/crawler/tor-cli.spec.ts',
  'spec/crawler/dial-filter-cli.spec.ts',
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification): number => {
      const i = LONGEST_FIRST.findIndex((p) => f.moduleId.endsWith(`/${p}`));
      return i < 0 ? LONGEST_FIRST.length : i;
    };
    // Array.prototype.sort is stable: the other files keep vitest's own order after these.
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: ['spec/**/*.spec.ts'],
    // Socket and end-to-end tests wait on real events with their own deadlines.
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Most files wait on sockets, timers and child processes rather than compute: on the 2-core
    // machine vitest's default (cores − 1 = one file at a time) leaves a core idle.
    maxWorkers: 3,
    sequence: { sequencer: LongestFirst },
  },
});
