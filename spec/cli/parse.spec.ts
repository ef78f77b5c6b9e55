/** argv and CRAWL_* → checked values, as pure functions (the binary's own tests are spec/cli.spec.ts). */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../lib/crawler/options.js';
import { parseArgs } from '../../lib/cli/parse.js';
import { envName, OPTIONS } from '../../lib/cli/options.js';
import { NETWORK_NAMES } from '../../lib/wire/network.js';
import { LOG_LEVELS } from '../../lib/log/logger.js';

function usage(argv: string[], env: NodeJS.ProcessEnv = {}): string {
  try {
    parseArgs(argv, env);
  } catch (err) {
    if (err instanceof UsageError) return err.message;
    throw err;
  }
  throw new Error(`accepted: ${argv.join(' ')}`);
}

describe('repeated flags', () => {
  it('takes `-` as a value (stdin), separate or after =, and leaves `--` alone', () => {
    expect(parseArgs(['--peers-file', '-'], {}).str('peers-file')).toBe('-');
    expect(parseArgs(['--peers-file=-'], {}).str('peers-file')).toBe('-');
    expect(parseArgs(['decode', '--', '-'], {}).positionals).toEqual(['-']);
  });

  it('the last value wins, for every flag that takes a value and for aliases', () => {
    expect(parseArgs(['--network', 'testnet', '--network', 'regtest'], {}).choice('network', NETWORK_NAMES)).toBe('regtest');
    expect(parseArgs(['-n', 'testnet', '--network', 'signet', '-n', 'regtest'], {}).choice('network', NETWORK_NAMES)).toBe('regtest');
    expect(parseArgs(['--log-level', 'debug', '--log-level', 'info'], {}).choice('log-level', LOG_LEVELS)).toBe('info');
    expect(parseArgs(['--ping-interval', '5', '--ping-interval', '7'], {}).num('ping-interval')).toBe(7);
    expect(parseArgs(['--raw', '--no-raw'], {}).bool('raw')).toBe(false);
    for (const o of OPTIONS.filter((o) => o.kind === 'string' && !o.repeatable && o.commands.includes('crawl'))) {
      expect(parseArgs([`--${o.name}`, 'a', `--${o.name}`, 'b'], {}).str(o.name)).toBe('b');
    }
  });

  it('a repeatable flag (--onlynet, as Core\'s -onlynet) keeps every value, in order', () => {
    expect(parseArgs(['--onlynet', 'onion', '--onlynet=i2p', '--onlynet', 'ipv4,ipv6'], {}).str('onlynet')).toBe('onion,i2p,ipv4,ipv6');
    expect(parseArgs([], { CRAWL_ONLYNET: 'onion,i2p' }).str('onlynet')).toBe('onion,i2p');
  });

  it('--peers and --emit add up too, whichever way each is written (-p A -p B is both)', () => {
    expect(parseArgs(['-p', 'a:1', '-p', 'b:2'], {}).str('peers')).toBe('a:1,b:2');
    expect(parseArgs(['--peers', 'a:1,b:2', '-p=c:3', '--peers=d:4', '-p', 'e'], {}).str('peers')).toBe('a:1,b:2,c:3,d:4,e');
    expect(parseArgs(['--emit', 'tx', '--emit', 'block,peer'], {}).str('emit')).toBe('tx,block,peer');
    expect(parseArgs(['-n', 'testnet', '-p', 'a', '-n', 'regtest', '-p', 'b'], {}).choice('network', NETWORK_NAMES)).toBe('regtest');
  });
});

describe('commands', () => {
  it('no command is crawl; decode takes its positionals as text, digits kept', () => {
    expect(parseArgs([], {}).command).toBe('crawl');
    const d = parseArgs(['decode', '0100', '--raw', '0200'], {});
    expect(d.command).toBe('decode');
    expect(d.positionals).toEqual(['0100', '0200']);
    expect(parseArgs(['-n', 'regtest', 'decode'], {}).command).toBe('decode');
  });

  it('refuses unknown commands, "help" included', () => {
    expect(usage(['help'])).toMatch(/^unknown command "help" \(did you mean --help\?\)/);
    expect(usage(['crawl'])).toMatch(/^unknown command "crawl"/);
    expect(usage(['frobnicate'])).toMatch(/^unknown command "frobnicate"/);
  });

  it('decode takes only its own flags', () => {
    expect(usage(['decode', '--peers', '127.0.0.1'])).toBe('--peers is not an option of crawl decode');
    expect(usage(['decode', '--ping-interval', '-5'])).toBe('--ping-interval is not an option of crawl decode');
    expect(usage(['decode', '--bogus'])).toBe('unknown option --bogus');
  });
});

describe('values', () => {
  it.each([
    ['-n', '--network'],
    ['--network', '--network'],
    ['--emit', '--emit'],
    ['--ping-interval', '--ping-interval'],
    ['--max-peers', '--max-peers'],
    ['--metrics-port', '--metrics-port'],
    ['-p', '--peers'],
  ])('%s without its value names the flag', (flag, name) => {
    expect(usage([flag])).toBe(`${name} needs a value`);
    expect(usage([flag, '--raw'])).toBe(`${name} needs a value`);
  });

  it('every flag that takes a value needs one', () => {
    for (const o of OPTIONS.filter((o) => o.kind !== 'boolean' && o.commands.includes('crawl'))) {
      expect(usage([`--${o.name}`])).toBe(`--${o.name} needs a value`);
      expect(usage([`--${o.name}=`])).toBe(`--${o.name} needs a value`);
    }
  });

  it('a list flag whose last (or any) occurrence has no value needs one too, however the others were written', () => {
    expect(usage(['--peers', 'a', '-p=b', '--peers'])).toBe('--peers needs a value');
    expect(usage(['--emit', 'tx', '--emit='])).toBe('--emit needs a value');
    expect(usage(['--onlynet', '', '--onlynet', 'ipv4'])).toBe('--onlynet needs a value');
  });

  it('booleans take only true or false after "="; --help and --version take nothing', () => {
    expect(usage(['--raw=maybe'])).toMatch(/^--raw is on or off/);
    expect(usage(['--no-reconnect=1'])).toMatch(/^--reconnect is on or off/);
    expect(usage(['--help=no'])).toBe('--help takes no value, not "no"');
    expect(usage(['--version=1'])).toBe('--version takes no value, not "1"');
    expect(parseArgs(['--raw=false'], {}).bool('raw')).toBe(false);
    expect(parseArgs(['--raw=true'], {}).bool('raw')).toBe(true);
  });

  it('choices and numbers are checked with the flag named', () => {
    expect(usage(['--network', 'moon'])).toBe('--network takes one of mainnet, testnet, testnet4, signet, regtest, not "moon"');
    expect(usage(['--ping-interval', '12x'])).toBe('--ping-interval takes a number, not "12x"');
    expect(parseArgs(['--ping-interval', '-1'], {}).num('ping-interval')).toBe(-1);
  });
});

describe('CRAWL_* variables', () => {
  it('takes the documented spelling of every flag', () => {
    for (const o of OPTIONS.filter((o) => o.env !== false && o.commands.includes('crawl'))) {
      const value = o.kind === 'boolean' ? 'yes' : o.kind === 'choice' ? o.choices![1] : o.kind === 'number' ? '7' : 'x';
      const a = parseArgs([], { [envName(o.name)]: value });
      expect(a.given(o.name)).toBe(true);
      if (o.kind === 'boolean') expect(a.bool(o.name)).toBe(true);
      else if (o.kind === 'number') expect(a.num(o.name)).toBe(7);
      else expect(a.str(o.name)).toBe(value);
    }
  });

  it('CRAWL_NO_<FLAG> turns a boolean off; the forms are 1/true/yes/on and 0/false/no/off', () => {
    expect(parseArgs([], { CRAWL_NO_RECONNECT: '1' }).bool('reconnect')).toBe(false);
    expect(parseArgs([], { CRAWL_NO_RECONNECT: 'FALSE' }).bool('reconnect')).toBe(true);
    expect(parseArgs([], { CRAWL_RECONNECT: 'off' }).bool('reconnect')).toBe(false);
    expect(parseArgs([], { CRAWL_RAW: 'On' }).bool('raw')).toBe(true);
    expect(usage([], { CRAWL_RAW: 'maybe' })).toMatch(/^CRAWL_RAW takes 1\/true\/yes\/on or 0\/false\/no\/off, not "maybe"/);
    expect(usage([], { CRAWL_NETWORK: 'moon' })).toMatch(/^CRAWL_NETWORK takes one of/);
  });

  it('the command line wins over the environment', () => {
    expect(parseArgs(['-n', 'signet'], { CRAWL_NETWORK: 'regtest' }).choice('network', NETWORK_NAMES)).toBe('signet');
    expect(parseArgs(['--reconnect'], { CRAWL_NO_RECONNECT: '1' }).bool('reconnect')).toBe(true);
  });

  it('ignores unknown CRAWL_* with a warning; CRAWL_HEX is not an argument of decode', () => {
    const a = parseArgs(['decode'], { CRAWL_HEX: '00', CRAWL_PEERS: '127.0.0.1' });
    expect(a.positionals).toEqual([]);
    expect(a.warnings).toEqual(['crawl: warning: ignoring CRAWL_HEX: no flag --hex']);
    expect(parseArgs([], { CRAWL_NETWROK: 'regtest' }).warnings).toEqual(['crawl: warning: ignoring CRAWL_NETWROK: no flag --netwrok']);
    expect(parseArgs([], { CRAWL_HELP: '1' }).bool('help')).toBe(false);
  });
});
