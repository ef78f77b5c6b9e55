/** The SOCKS5 client handshake (RFC 1928, RFC 1929) as a pure state machine: bytes in, bytes out. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Socks5Client, SOCKS5_REPLIES, socks5Connect } from '../../lib/net/socks5.js';
import { ProxyError } from '../../lib/net/negotiation.js';
import { errorOf, onlyErrors } from '../support/errors.js';

const ONION = 'pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion';
const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
const ascii = (s: string): number[] => [...new TextEncoder().encode(s)];
const OK_REPLY_V4 = bytes(5, 0, 0, 1, 127, 0, 0, 1, 0x20, 0x8d);

describe('Socks5Client', () => {
  it('without credentials: offers NO AUTH only, then CONNECTs by DOMAINNAME, and hands over what follows', () => {
    const c = new Socks5Client(ONION, 8333);
    expect(c.start()).toEqual(bytes(5, 1, 0));
    const step = c.receive(bytes(5, 0));
    expect(step.send).toEqual(bytes(5, 1, 0, 3, ONION.length, ...ascii(ONION), 0x20, 0x8d));
    expect(step.done).toBeUndefined();
    // The peer's first bytes may come in the same chunk as the reply: they are the peer's.
    const done = c.receive(bytes(...OK_REPLY_V4, 0xf9, 0xbe));
    expect(done.done?.rest).toEqual(bytes(0xf9, 0xbe));
  });

  it('with credentials: offers NO AUTH and USERNAME/PASSWORD, and sends RFC 1929 auth when chosen', () => {
    const c = new Socks5Client('8.8.8.8', 8333, { username: 'u1', password: 'pw' });
    expect(c.start()).toEqual(bytes(5, 2, 0, 2));
    expect(c.receive(bytes(5, 2)).send).toEqual(bytes(1, 2, ...ascii('u1'), 2, ...ascii('pw')));
    // Even an IP literal goes as a name, as Core sends CNetAddr::ToStringAddr().
    expect(c.receive(bytes(1, 0)).send).toEqual(bytes(5, 1, 0, 3, 7, ...ascii('8.8.8.8'), 0x20, 0x8d));
    expect(c.receive(OK_REPLY_V4).done?.rest).toEqual(new Uint8Array(0));
  });

  it('skips authentication when the proxy picks NO AUTH although we offered credentials', () => {
    const c = new Socks5Client('a.onion', 1, { username: 'u', password: 'p' });
    c.start();
    expect(c.receive(bytes(5, 0)).send).toEqual(socks5Connect('a.onion', 1));
  });

  it('reads every bound-address form, byte by byte', () => {
    for (const reply of [OK_REPLY_V4, bytes(5, 0, 0, 4, ...new Array<number>(16).fill(1), 0, 1), bytes(5, 0, 0, 3, 3, ...ascii('abc'), 0, 1)]) {
      const c = new Socks5Client('x.onion', 8333);
      c.start();
      c.receive(bytes(5, 0));
      for (let i = 0; i < reply.length - 1; i++) expect(c.receive(reply.subarray(i, i + 1)).done).toBeUndefined();
      expect(c.receive(reply.subarray(reply.length - 1)).done).toBeDefined();
    }
  });

  it('takes the method and CONNECT replies in one chunk', () => {
    const c = new Socks5Client('x.onion', 8333);
    c.start();
    const step = c.receive(bytes(5, 0, ...OK_REPLY_V4));
    expect(step.send).toEqual(socks5Connect('x.onion', 8333));
    expect(step.done).toBeDefined();
  });

  it('names every reply code as Core does, and blames the peer for the unreachable ones', () => {
    for (const [code, text] of Object.entries(SOCKS5_REPLIES)) {
      const c = new Socks5Client('x.onion', 8333);
      c.start();
      c.receive(bytes(5, 0));
      const e = errorOf(ProxyError, () => c.receive(bytes(5, Number(code), 0, 1, 0, 0, 0, 0, 0, 0)));
      expect(e.message).toContain(text);
      expect(e.code).toBe(Number(code));
    }
    const blame = (code: number): string => {
      const c = new Socks5Client('x.onion', 8333);
      c.start();
      c.receive(bytes(5, 0));
      return errorOf(ProxyError, () => c.receive(bytes(5, code))).blame;
    };
    expect(blame(0x01)).toBe('proxy'); // general failure
    expect(blame(0x02)).toBe('proxy'); // not allowed by the ruleset
    expect(blame(0x05)).toBe('peer'); // connection refused
    expect(blame(0xf0)).toBe('peer'); // onion descriptor not found
    expect(errorOf(ProxyError, () => {
      const c = new Socks5Client('x.onion', 8333);
      c.start();
      c.receive(bytes(5, 0));
      c.receive(bytes(5, 0x42));
    }).message).toContain('unknown reply 0x42');
  });

  it('refuses a rejected authentication, no acceptable method, a method not offered, and a non-SOCKS5 proxy', () => {
    const authed = (): Socks5Client => {
      const c = new Socks5Client('x.onion', 1, { username: 'u', password: 'p' });
      c.start();
      return c;
    };
    const a = authed();
    a.receive(bytes(5, 2));
    expect(errorOf(ProxyError, () => a.receive(bytes(1, 1))).message).toContain('refused our credentials');
    expect(errorOf(ProxyError, () => authed().receive(bytes(5, 0xff))).message).toContain('none of our authentication methods');
    expect(errorOf(ProxyError, () => new Socks5Client('x.onion', 1).receive(bytes(5, 2))).message).toContain('did not offer');
    expect(errorOf(ProxyError, () => authed().receive(bytes(4, 0))).message).toContain('not a SOCKS5 proxy');
  });

  it('refuses malformed replies: reserved byte, address type', () => {
    const ready = (): Socks5Client => {
      const c = new Socks5Client('x.onion', 1);
      c.start();
      c.receive(bytes(5, 0));
      return c;
    };
    expect(errorOf(ProxyError, () => ready().receive(bytes(5, 0, 1, 1, 0))).message).toContain('reserved');
    expect(errorOf(ProxyError, () => ready().receive(bytes(5, 0, 0, 9, 0))).message).toContain('address type');
  });

  it('refuses names it cannot send (empty, over 255 bytes, not printable ASCII) before any byte goes out', () => {
    expect(() => new Socks5Client('', 1)).toThrow(ProxyError);
    expect(() => new Socks5Client('a'.repeat(256), 1)).toThrow(ProxyError);
    expect(() => new Socks5Client('a b.onion', 1)).toThrow(ProxyError);
    expect(() => new Socks5Client('x.onion', 1, { username: '', password: 'p' })).toThrow(ProxyError);
    expect(() => new Socks5Client('a'.repeat(255), 1)).not.toThrow();
  });

  it('never throws anything but a ProxyError, whatever the proxy sends', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 8 }), (chunks) => {
        const c = new Socks5Client('x.onion', 8333, { username: 'u', password: 'p' });
        c.start();
        onlyErrors(ProxyError, () => {
          for (const ch of chunks) if (c.receive(ch).done) break;
        });
      }),
    );
  });
});
