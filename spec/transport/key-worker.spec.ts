/**
 * The key pool as the built command runs it: keys encoded in a worker thread (dist/, where the
 * compiled key-worker.js sits beside key-pool.js), each valid and handed out once; peers' keys
 * decoded there; and the fallback on this thread when the worker is switched off.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ellswiftDecode } from '../../lib/transport/ellswift.js';
import { ellswiftCreate, randomPrivateKey, v2Ecdh } from '../../lib/transport/v2-ecdh.js';
import { ecBackend } from '../../lib/transport/secp.js';
import { fromHex, toHex } from '../../lib/wire/hex.js';

const POOL = fileURLToPath(new URL('../../dist/lib/transport/key-pool.js', import.meta.url));

type Agreement = { privkey: string; theirs: string; ours: string; initiator: boolean; secret: string; elsewhere: boolean };

/** The built pool's agree() on each request, in a fresh process: the secret it gives, and whether the worker computed it. */
function agreementsFrom(requests: ReadonlyArray<Omit<Agreement, 'secret' | 'elsewhere'>>, env: Record<string, string>): Agreement[] {
  const script = `
    const m = await import(${JSON.stringify(POOL)});
    const h = (s) => Uint8Array.from(Buffer.from(s, 'hex'));
    const rs = ${JSON.stringify(requests)};
    const out = await Promise.all(rs.map((r) => new Promise((done) => {
      const elsewhere = m.agreesElsewhere();
      m.agree({ privkey: h(r.privkey), theirs: h(r.theirs), ours: h(r.ours), initiator: r.initiator }, (secret) => done({ ...r, secret: Buffer.from(secret()).toString('hex'), elsewhere }));
    })));
    console.log(JSON.stringify(out));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, ...env } })) as Agreement[];
}

/** Runs the built pool in a fresh process: `n` keys through withKey, one after another (each dial waits for the next). */
function keysFrom(n: number, env: Record<string, string> = {}): { maker: string; keys: Array<{ privkey: string; ellswift: string }> } {
  const script = `
    const m = await import(${JSON.stringify(POOL)});
    const maker = m.keyMaker();
    const keys = [];
    await new Promise((done) => {
      const next = () => m.withKey((k) => {
        keys.push({ privkey: Buffer.from(k.privkey).toString('hex'), ellswift: Buffer.from(k.ellswift).toString('hex') });
        if (keys.length === ${n}) done(); else next();
      });
      next();
    });
    console.log(JSON.stringify({ maker, keys }));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, ...env } });
  return JSON.parse(out) as { maker: string; keys: Array<{ privkey: string; ellswift: string }> };
}

function expectValid(keys: ReadonlyArray<{ privkey: string; ellswift: string }>): void {
  for (const k of keys) expect(toHex(ellswiftDecode(fromHex(k.ellswift)))).toBe(toHex(ecBackend.publicX(fromHex(k.privkey))));
  expect(new Set(keys.map((k) => k.privkey)).size).toBe(keys.length);
}

describe('the key worker (built)', () => {
  it('makes every key in a worker thread: valid, distinct, more than the pool holds, and lets the process exit', () => {
    const { maker, keys } = keysFrom(150);
    expect(maker).toBe('a worker thread');
    expect(keys).toHaveLength(150);
    expectValid(keys);
  });

  it('makes them on the main thread with BITCRAWL_KEY_WORKER=0, and says so', () => {
    const { maker, keys } = keysFrom(20, { BITCRAWL_KEY_WORKER: '0' });
    expect(maker).toBe('this thread (BITCRAWL_KEY_WORKER=0)');
    expectValid(keys);
  });

  it('decodes peers\' keys there too: each shared secret the same as v2Ecdh here, for either side', () => {
    const requests = Array.from({ length: 12 }, (_, i) => {
      const privkey = randomPrivateKey();
      const theirs = ellswiftCreate(randomPrivateKey());
      return { privkey: toHex(privkey), theirs: toHex(theirs), ours: toHex(ellswiftCreate(privkey)), initiator: i % 2 === 0 };
    });
    for (const env of [{}, { BITCRAWL_KEY_WORKER: '0' }] as Array<Record<string, string>>) {
      const got = agreementsFrom(requests, env);
      expect(got.map((a) => a.elsewhere)).toEqual(requests.map(() => !('BITCRAWL_KEY_WORKER' in env)));
      for (const a of got) expect(a.secret).toBe(toHex(v2Ecdh(fromHex(a.privkey), fromHex(a.theirs), fromHex(a.ours), a.initiator)));
    }
  });
});
