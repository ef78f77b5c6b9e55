/** The command line as a user meets it: the built binary, real pipes, exit statuses. */
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { CRAWL_BIN, runCrawl } from './support/crawl-process.js';
import { TX_VECTORS } from './support/txs.js';

describe('crawl decode', () => {
  it('decodes every shared vector from stdin, in order, one line each', async () => {
    const { code, stdout, stderr } = await runCrawl(['decode'], TX_VECTORS.map((v) => v.hex).join('\n') + '\n');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { txid: string; wtxid: string; size: number; vsize: number; weight: number });
    expect(lines.map((l) => [l.txid, l.wtxid, l.size, l.vsize, l.weight])).toEqual(TX_VECTORS.map((v) => [v.txid, v.wtxid, v.size, v.vsize, v.weight]));
  });

  it('takes hex arguments, with --raw and --network regtest addresses', async () => {
    const segwit = TX_VECTORS.find((v) => v.segwit && v.size < 1000)!;
    const { code, stdout } = await runCrawl(['decode', '--raw', '--network', 'regtest', segwit.hex]);
    expect(code).toBe(0);
    const line = JSON.parse(stdout) as { hex: string; vout: { scriptpubkey_address?: string; scriptpubkey_type: string }[] };
    expect(line.hex).toBe(segwit.hex);
    for (const o of line.vout) {
      if (o.scriptpubkey_type.startsWith('v')) expect(o.scriptpubkey_address).toMatch(/^bcrt1/);
    }
  });

  it('names each bad line on stderr, prints the rest, and exits 1', async () => {
    const good = TX_VECTORS[0].hex;
    const input = [good, 'zz', '', good.slice(0, 200), good + '00', good].join('\n');
    const { code, stdout, stderr } = await runCrawl(['decode'], input);
    expect(code).toBe(1);
    expect(stdout.trimEnd().split('\n')).toHaveLength(2);
    const errors = stderr.trimEnd().split('\n');
    expect(errors).toEqual([
      expect.stringMatching(/^crawl decode: line 2: not hex/),
      expect.stringMatching(/^crawl decode: line 4: truncated/),
      expect.stringMatching(/^crawl decode: line 5: 1 trailing bytes/),
    ]);
    expect(stderr).not.toMatch(/\n\s+at /); // never a stack trace
  });

  it('ends quietly with status 0 when its reader closes early (| head -1)', () => {
    const script = `yes ${TX_VECTORS[0].hex} | head -n 20000 | node ${CRAWL_BIN} decode | head -n 1 >/dev/null; echo "\${PIPESTATUS[2]}"`;
    const out = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
    expect(out.stdout.trim()).toBe('0');
    expect(out.stderr).toBe('');
  });
});

describe('usage errors', () => {
  it.each([
    [['--bogus'], /^crawl: unknown option --bogus$/m],
    [['--network', 'moon'], /^crawl: --network takes one of mainnet, testnet, testnet4, signet, regtest, not "moon"$/m],
    [['--ping-interval', '-1'], /--ping-interval takes a number of seconds/],
    [['--peers', '1.2.3.4:99999'], /bad port in peer "1.2.3.4:99999"/],
    [['--peers', '[::1]8333'], /expected ":port" after "]"/],
    [['--emit', 'tx,nonsense'], /--emit takes a list/],
    [['--network', 'regtest'], /regtest has no DNS seeds/],
    // Issue 11: repeated flags take the last value, never a crash; no value, no default.
    [['--network', 'testnet', '--network', 'regtest'], /regtest has no DNS seeds/],
    [['help'], /^crawl: unknown command "help" \(did you mean --help\?\)/],
    [['-n'], /^crawl: --network needs a value$/m],
    [['--raw=maybe'], /^crawl: --raw is on or off/],
    [['--help=no'], /^crawl: --help takes no value, not "no"$/m],
    [['decode', '--ping-interval', 'x'], /^crawl: --ping-interval is not an option of crawl decode$/m],
    [['--peers', '1.2.3:8333'], /bad host in peer "1\.2\.3:8333": an IPv4 address is four numbers/],
  ])('%j → one line on stderr, status 2', async (args, message) => {
    const { code, stdout, stderr } = await runCrawl(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(message);
  });

  it('prints --version and --help, and takes flags from CRAWL_* variables', () => {
    expect(execFileSync(process.execPath, [CRAWL_BIN, '--version'], { encoding: 'utf8' }).trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = execFileSync(process.execPath, [CRAWL_BIN, '--help'], { encoding: 'utf8' });
    for (const flag of ['--peers', '--network', '--ping-interval', '--ping-timeout', '--handshake-timeout', '--emit', '--raw', '--log-level', '--log-format']) {
      expect(help).toContain(flag);
    }
    const r = spawnSync(process.execPath, [CRAWL_BIN], { encoding: 'utf8', env: { ...process.env, CRAWL_NETWORK: 'regtest' } });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/regtest has no DNS seeds/);
    // The documented spelling of a negated boolean, and an unknown variable only warned about.
    const e = spawnSync(process.execPath, [CRAWL_BIN], { encoding: 'utf8', env: { ...process.env, CRAWL_NETWORK: 'regtest', CRAWL_NO_RECONNECT: '1', CRAWL_BOGUS: 'x' } });
    expect(e.status).toBe(2);
    expect(e.stderr.trimEnd().split('\n')).toEqual(['crawl: warning: ignoring CRAWL_BOGUS: no flag --bogus', expect.stringMatching(/regtest has no DNS seeds/)]);
  });
});
