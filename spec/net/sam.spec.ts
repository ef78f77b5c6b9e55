/** I2P SAM 3.1 conversations as pure state machines: the exact lines Core's i2p.cpp sends. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromI2pBase64, LineSplitter, MAX_SAM_LINE, parseSamReply, SamSessionCreate, SamStreamConnect, toI2pBase64 } from '../../lib/net/sam.js';
import { ProxyError, type Negotiation } from '../../lib/net/negotiation.js';
import { errorOf, onlyErrors } from '../support/errors.js';

const B32 = 'ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.b32.i2p';
const DEST = 'AAAA~-BBBB'.repeat(40) + 'AA==';
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined): string => new TextDecoder().decode(b);

/** Runs a conversation against scripted reply lines; returns every line we sent. */
function talk<T>(n: Negotiation<T>, replies: string[]): { sent: string[]; value?: T; rest?: Uint8Array } {
  const sent = [dec(n.start())];
  for (const r of replies) {
    const step = n.receive(enc(`${r}\n`));
    if (step.send) sent.push(dec(step.send));
    if (step.done) return { sent, value: step.done.value, rest: step.done.rest };
  }
  return { sent };
}

describe('SAM 3.1 session', () => {
  it('transient: HELLO, then SESSION CREATE with Core’s options; the key comes back as DESTINATION', () => {
    const t = talk(new SamSessionCreate('abcdef0123', null), ['HELLO REPLY RESULT=OK VERSION=3.1', `SESSION STATUS RESULT=OK DESTINATION=${DEST}`]);
    expect(t.sent).toEqual([
      'HELLO VERSION MIN=3.1 MAX=3.1\n',
      'SESSION CREATE STYLE=STREAM ID=abcdef0123 DESTINATION=TRANSIENT SIGNATURE_TYPE=7 i2cp.leaseSetEncType=4,0 inbound.quantity=1 outbound.quantity=1\n',
    ]);
    expect(t.value).toEqual({ id: 'abcdef0123', privateKey: fromI2pBase64(DEST), generated: false });
  });

  it('persistent, no key yet: DEST GENERATE first, then SESSION CREATE with that key', () => {
    const t = talk(new SamSessionCreate('s1', 'generate'), ['HELLO REPLY RESULT=OK VERSION=3.1', `DEST REPLY PUB=AAAA PRIV=${DEST}`, 'SESSION STATUS RESULT=OK']);
    expect(t.sent).toEqual([
      'HELLO VERSION MIN=3.1 MAX=3.1\n',
      'DEST GENERATE SIGNATURE_TYPE=7\n',
      `SESSION CREATE STYLE=STREAM ID=s1 DESTINATION=${DEST} i2cp.leaseSetEncType=4,0 inbound.quantity=3 outbound.quantity=3\n`,
    ]);
    expect(t.value?.generated).toBe(true);
    expect(toI2pBase64(t.value?.privateKey ?? new Uint8Array())).toBe(DEST);
  });

  it('persistent with a key: SESSION CREATE carries it in I2P Base64', () => {
    const key = Uint8Array.from([0xfb, 0xff, 0xfe, 1, 2, 3]);
    const t = talk(new SamSessionCreate('s1', key), ['HELLO REPLY RESULT=OK VERSION=3.1', 'SESSION STATUS RESULT=OK']);
    expect(t.sent[1]).toBe('SESSION CREATE STYLE=STREAM ID=s1 DESTINATION=-~~-AQID i2cp.leaseSetEncType=4,0 inbound.quantity=3 outbound.quantity=3\n');
    expect(t.value?.privateKey).toEqual(key);
  });

  it('refuses a failed HELLO or SESSION CREATE, a reply to something else, and never shows our key', () => {
    expect(errorOf(ProxyError, () => talk(new SamSessionCreate('s1', null), ['HELLO REPLY RESULT=NOVERSION'])).code).toBe('NOVERSION');
    expect(errorOf(ProxyError, () => talk(new SamSessionCreate('s1', null), ['STREAM STATUS RESULT=OK'])).message).toContain('answered "HELLO VERSION');
    const e = errorOf(ProxyError, () => talk(new SamSessionCreate('s1', Uint8Array.of(1, 2, 3)), ['HELLO REPLY RESULT=OK', 'SESSION STATUS RESULT=DUPLICATED_ID']));
    expect(e.code).toBe('DUPLICATED_ID');
    expect(e.message).toContain('SESSION CREATE ...');
    expect(e.message).not.toContain('AQID');
  });
});

describe('SAM 3.1 stream', () => {
  it('HELLO, NAMING LOOKUP of the .b32.i2p name, STREAM CONNECT to the destination; then the peer’s bytes', () => {
    const n = new SamStreamConnect('abcdef0123', B32);
    const t = talk(n, ['HELLO REPLY RESULT=OK VERSION=3.1', `NAMING REPLY RESULT=OK NAME=${B32} VALUE=${DEST}`]);
    expect(t.sent).toEqual(['HELLO VERSION MIN=3.1 MAX=3.1\n', `NAMING LOOKUP NAME=${B32}\n`, `STREAM CONNECT ID=abcdef0123 DESTINATION=${DEST} SILENT=false\n`]);
    const done = n.receive(Uint8Array.of(...enc('STREAM STATUS RESULT=OK\n'), 0xfa, 0xbf));
    expect(done.done?.rest).toEqual(Uint8Array.of(0xfa, 0xbf));
  });

  it('blames the peer for CANT_REACH_PEER and a failed lookup, the bridge for INVALID_ID', () => {
    const upTo = (last: string): ProxyError =>
      errorOf(ProxyError, () => talk(new SamStreamConnect('s1', B32), ['HELLO REPLY RESULT=OK', `NAMING REPLY RESULT=OK NAME=x VALUE=${DEST}`, last]));
    expect(upTo('STREAM STATUS RESULT=CANT_REACH_PEER MESSAGE="x"')).toMatchObject({ blame: 'peer', code: 'CANT_REACH_PEER' });
    expect(upTo('STREAM STATUS RESULT=INVALID_ID')).toMatchObject({ blame: 'proxy', code: 'INVALID_ID' });
    const lookup = errorOf(ProxyError, () => talk(new SamStreamConnect('s1', B32), ['HELLO REPLY RESULT=OK', `NAMING REPLY RESULT=KEY_NOT_FOUND NAME=${B32}`]));
    expect(lookup).toMatchObject({ blame: 'peer', code: 'KEY_NOT_FOUND' });
  });

  it('puts nothing on a line that could break it: names, ids and destinations are checked', () => {
    expect(() => new SamStreamConnect('s1', 'x.b32.i2p')).toThrow(ProxyError);
    expect(() => new SamStreamConnect('s 1', B32)).toThrow(ProxyError);
    const bad = errorOf(ProxyError, () => talk(new SamStreamConnect('s1', B32), ['HELLO REPLY RESULT=OK', 'NAMING REPLY RESULT=OK VALUE=AAAA\rSTREAM']));
    expect(bad.message).toContain('bad I2P destination');
  });

  it('refuses a bridge that speaks before it is asked, and a line over MAX_SAM_LINE', () => {
    const n = new SamStreamConnect('s1', B32);
    n.start();
    expect(() => n.receive(enc('HELLO REPLY RESULT=OK\nNAMING REPLY RESULT=OK\n'))).toThrow(/before it was asked/);
    const lines = new LineSplitter();
    lines.push(new Uint8Array(MAX_SAM_LINE + 1).fill(0x41));
    expect(() => lines.next()).toThrow(ProxyError);
  });

  it('parses replies as Core does', () => {
    const r = parseSamReply('NAMING REPLY RESULT=OK NAME=a.b32.i2p VALUE=AB=C= FLAG');
    expect(r.topic).toBe('NAMING REPLY');
    expect([...r.keys]).toEqual([['RESULT', 'OK'], ['NAME', 'a.b32.i2p'], ['VALUE', 'AB=C='], ['FLAG', undefined]]);
  });

  it('never throws anything but a ProxyError, whatever the bridge sends', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.uint8Array({ maxLength: 60 }), fc.constantFrom('HELLO REPLY RESULT=OK\n', `NAMING REPLY RESULT=OK VALUE=${DEST}\n`).map(enc)), { maxLength: 8 }), (chunks) => {
        const n = new SamStreamConnect('s1', B32);
        n.start();
        onlyErrors(ProxyError, () => {
          for (const ch of chunks) if (n.receive(ch).done) break;
        });
      }),
    );
  });
});
