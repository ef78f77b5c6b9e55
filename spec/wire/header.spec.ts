import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FramingError } from '../../lib/wire/errors.js';
import { errorOf } from '../support/errors.js';
import { decodeHeader, encodeFrame, isValidCommand } from '../../lib/wire/header.js';
import { fromHex, toHex } from '../../lib/wire/hex.js';
import { MAX_PAYLOAD_BYTES } from '../../lib/wire/limits.js';
import { NETWORKS } from '../../lib/wire/network.js';
import { CODECS } from '../../lib/wire/registry.js';

const MAINNET = NETWORKS.mainnet.magic;
const anyLength = (): number => MAX_PAYLOAD_BYTES;

/** A header with the given fields, built byte by byte (not with encodeFrame). */
function rawHeader(magicHex: string, commandBytes: number[], length: number, checksumHex = '00000000'): Uint8Array {
  const h = new Uint8Array(24);
  h.set(fromHex(magicHex), 0);
  h.set(commandBytes, 4);
  new DataView(h.buffer).setUint32(16, length, true);
  h.set(fromHex(checksumHex), 20);
  return h;
}
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

describe('encodeFrame', () => {
  it('builds the verack frame byte for byte (mainnet magic, empty-payload checksum 5df6e0e2)', () => {
    expect(toHex(encodeFrame(MAINNET, 'verack', new Uint8Array(0)))).toBe(
      'f9beb4d9' + '76657261636b000000000000' + '00000000' + '5df6e0e2',
    );
  });

  it('writes the magic of each network in its message-start byte order', () => {
    const starts = { mainnet: 'f9beb4d9', testnet: '0b110907', testnet4: '1c163f28', signet: '0a03cf40', regtest: 'fabfb5da' } as const;
    for (const [name, start] of Object.entries(starts)) {
      const frame = encodeFrame(NETWORKS[name as keyof typeof starts].magic, 'ping', new Uint8Array(8));
      expect(toHex(frame.subarray(0, 4))).toBe(start);
    }
  });

  it('uses all 12 command bytes for a 12-character command', () => {
    const frame = encodeFrame(MAINNET, 'abcdefghijkl', new Uint8Array(0));
    expect(toHex(frame.subarray(4, 16))).toBe(toHex(Uint8Array.from(ascii('abcdefghijkl'))));
  });

  it.each(['abcdefghijklm', 'tx\u0000', 'caf\u00e9', 'a\nb'])('refuses to send the command %j', (command) => {
    expect(isValidCommand(command)).toBe(false);
    expect(() => encodeFrame(MAINNET, command, new Uint8Array(0))).toThrow(RangeError);
  });
});

describe('decodeHeader', () => {
  it('reads back what encodeFrame wrote', () => {
    const payload = Uint8Array.of(1, 2, 3);
    const h = decodeHeader(encodeFrame(MAINNET, 'sendcmpct', payload).subarray(0, 24), MAINNET, anyLength);
    expect(h.command).toBe('sendcmpct');
    expect(h.length).toBe(3);
    expect(h.magic).toBe(MAINNET);
  });

  it('refuses the wrong network magic', () => {
    const err = errorOf(FramingError, () => decodeHeader(rawHeader('fabfb5da', ascii('ping'), 8), MAINNET, anyLength));
    expect(err.reason).toBe('bad-magic');
  });

  it.each([
    ['a control character', [...ascii('pi'), 0x07, ...ascii('ng')]],
    ['DEL (0x7f)', [...ascii('ping'), 0x7f]],
    ['a byte above 0x7f', [...ascii('ping'), 0xc3]],
    ['a non-NUL byte after the first NUL', [...ascii('ping'), 0, 0, 0x41]],
    ['a non-NUL last byte after NUL padding', [...ascii('ping'), 0, 0, 0, 0, 0, 0, 0, 0x20]],
  ])('refuses a command with %s (IsMessageTypeValid)', (_what, command) => {
    const err = errorOf(FramingError, () => decodeHeader(rawHeader('f9beb4d9', command, 0), MAINNET, anyLength));
    expect(err.reason).toBe('bad-command');
  });

  it('accepts what Core accepts: spaces, tildes, a full 12 characters, even an empty command', () => {
    expect(decodeHeader(rawHeader('f9beb4d9', ascii('a b~'), 0), MAINNET, anyLength).command).toBe('a b~');
    expect(decodeHeader(rawHeader('f9beb4d9', ascii('abcdefghijkl'), 0), MAINNET, anyLength).command).toBe('abcdefghijkl');
    expect(decodeHeader(rawHeader('f9beb4d9', [], 0), MAINNET, anyLength).command).toBe('');
  });

  it.each([0xffffffff, MAX_PAYLOAD_BYTES + 1])('refuses a declared length of %i', (length) => {
    const err = errorOf(FramingError, () => decodeHeader(rawHeader('f9beb4d9', ascii('tx'), length), MAINNET, anyLength));
    expect(err.reason).toBe('oversized');
  });

  it('accepts exactly MAX_PAYLOAD_BYTES', () => {
    expect(decodeHeader(rawHeader('f9beb4d9', ascii('block'), MAX_PAYLOAD_BYTES), MAINNET, anyLength).length).toBe(MAX_PAYLOAD_BYTES);
  });

  it("refuses a length over the command's own maximum, and accepts it at the maximum", () => {
    const limit = (command: string): number => (command === 'ping' ? 8 : MAX_PAYLOAD_BYTES);
    expect(errorOf(FramingError, () => decodeHeader(rawHeader('f9beb4d9', ascii('ping'), 9), MAINNET, limit)).reason).toBe('oversized');
    expect(decodeHeader(rawHeader('f9beb4d9', ascii('ping'), 8), MAINNET, limit).length).toBe(8);
  });

  it('checks the magic before anything else', () => {
    const err = errorOf(FramingError, () => decodeHeader(rawHeader('00000000', [0x01], 0xffffffff), MAINNET, anyLength));
    expect(err.reason).toBe('bad-magic');
  });

  it('returns every command we have a codec for, byte for byte as sent', () => {
    for (const command of Object.keys(CODECS)) {
      expect(decodeHeader(encodeFrame(MAINNET, command, new Uint8Array(0)).subarray(0, 24), MAINNET, anyLength).command).toBe(command);
    }
  });

  /** IsMessageTypeValid written plainly: printable ASCII up to the first NUL, only NULs after. */
  function referenceCommand(field: Uint8Array): string | 'bad-command' {
    const text = String.fromCharCode(...field);
    const command = text.split('\0')[0];
    const printable = [...command].every((c) => c >= ' ' && c <= '~');
    return printable && text === command.padEnd(12, '\0') ? command : 'bad-command';
  }

  it('agrees with a plain IsMessageTypeValid on any field, also one a byte away from a known command (property)', () => {
    const known = Object.keys(CODECS).map((c) => Uint8Array.from({ length: 12 }, (_, i) => (i < c.length ? c.charCodeAt(i) : 0)));
    const nearKnown = fc.tuple(fc.constantFrom(...known), fc.nat(11), fc.constantFrom(0, 0x01, 0x20, 0x41, 0x7e, 0x7f, 0x80, 0xff)).map(([f, at, b]) => {
      const g = f.slice();
      g[at] = b;
      return g;
    });
    const field = fc.oneof(fc.uint8Array({ minLength: 12, maxLength: 12 }), fc.constantFrom(...known), nearKnown);
    fc.assert(
      fc.property(field, (f) => {
        const expected = referenceCommand(f);
        const header = rawHeader('f9beb4d9', [...f], 0);
        if (expected === 'bad-command') expect(errorOf(FramingError, () => decodeHeader(header, MAINNET, anyLength)).reason).toBe('bad-command');
        else expect(decodeHeader(header, MAINNET, anyLength).command).toBe(expected);
      }),
      { numRuns: 3_000 },
    );
  });
});
