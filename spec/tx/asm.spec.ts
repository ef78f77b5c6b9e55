/**
 * ASM as Esplora prints it: rust-bitcoin's `Script` Display (bytes_to_asm_fmt in
 * bitcoin/src/blockdata/script/). The expected strings follow its logic, and the first group is
 * its own test cases (bitcoin/src/blockdata/script/tests.rs, `script_asm`).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { opcodeName, scriptAsm } from '../../lib/tx/script.js';
import { fromHex, toHex } from '../../lib/wire/hex.js';

const asm = (hex: string): string => scriptAsm(fromHex(hex));
const K33 = '02715e91d37d239dea832f1460e91e368115d8ca6cc23a7da966795abad9e3b699';

describe('scriptAsm: rust-bitcoin’s own cases', () => {
  it.each([
    ['6363636363686868686800', 'OP_IF OP_IF OP_IF OP_IF OP_IF OP_ENDIF OP_ENDIF OP_ENDIF OP_ENDIF OP_ENDIF OP_0'],
    [`21${K33}ac`, `OP_PUSHBYTES_33 ${K33} OP_CHECKSIG`],
    ['01', 'OP_PUSHBYTES_1 <push past end>'],
    ['0201', 'OP_PUSHBYTES_2 <push past end>'],
    ['4c', '<unexpected end>'],
    ['4c0201', 'OP_PUSHDATA1 <push past end>'],
    ['4d', '<unexpected end>'],
    ['4dffff01', 'OP_PUSHDATA2 <push past end>'],
    ['4effffffff01', 'OP_PUSHDATA4 <push past end>'],
  ])('%s', (hex, expected) => {
    expect(asm(hex)).toBe(expected);
  });
});

describe('scriptAsm: every push form', () => {
  it.each([
    ['', ''],
    ['00', 'OP_0'],
    ['0100', 'OP_PUSHBYTES_1 00'],
    [`4b${'ab'.repeat(75)}`, `OP_PUSHBYTES_75 ${'ab'.repeat(75)}`],
    ['4c0100', 'OP_PUSHDATA1 00'],
    ['4c03aabbcc87', 'OP_PUSHDATA1 aabbcc OP_EQUAL'],
    ['4d0300aabbcc', 'OP_PUSHDATA2 aabbcc'],
    ['4e02000000abcd', 'OP_PUSHDATA4 abcd'],
    [`4d0001${'11'.repeat(256)}`, `OP_PUSHDATA2 ${'11'.repeat(256)}`],
    ['4f5051605f', 'OP_PUSHNUM_NEG1 OP_RESERVED OP_PUSHNUM_1 OP_PUSHNUM_16 OP_PUSHNUM_15'],
  ])('%s', (hex, expected) => {
    expect(asm(hex)).toBe(expected);
  });

  it('writes nothing after a zero-length PUSHDATA (no trailing space)', () => {
    expect(asm('6a4c00')).toBe('OP_RETURN OP_PUSHDATA1');
    expect(asm('6a4d0000')).toBe('OP_RETURN OP_PUSHDATA2');
    expect(asm('6a4e00000000')).toBe('OP_RETURN OP_PUSHDATA4');
    expect(asm('4c0051')).toBe('OP_PUSHDATA1 OP_PUSHNUM_1');
  });
});

describe('scriptAsm: truncation', () => {
  it('puts <unexpected end> in place of a PUSHDATA whose length is cut off, without a space', () => {
    expect(asm('7e4d01')).toBe('OP_CAT<unexpected end>');
    expect(asm('7e4c')).toBe('OP_CAT<unexpected end>');
    expect(asm('6a4e000000')).toBe('OP_RETURN<unexpected end>');
    expect(asm('00014e')).toBe('OP_0 OP_PUSHBYTES_1 4e');
    expect(asm('4e000000')).toBe('<unexpected end>');
  });

  it('writes the opcode, then <push past end>, for data that is cut off', () => {
    // The issue's `7e4d0100` has its two length bytes (a length of 1) and lacks only the data.
    expect(asm('7e4d0100')).toBe('OP_CAT OP_PUSHDATA2 <push past end>');
    expect(asm('76a914')).toBe('OP_DUP OP_HASH160 OP_PUSHBYTES_20 <push past end>');
    expect(asm(`76a914${'00'.repeat(19)}`)).toBe('OP_DUP OP_HASH160 OP_PUSHBYTES_20 <push past end>');
    expect(asm('4effffffff')).toBe('OP_PUSHDATA4 <push past end>');
    expect(asm('6a4c02ab')).toBe('OP_RETURN OP_PUSHDATA1 <push past end>');
  });
});

describe('opcode names', () => {
  it.each([
    ['61', 'OP_NOP'],
    ['62', 'OP_VER'],
    ['65', 'OP_VERIF'],
    ['89', 'OP_RESERVED1'],
    ['b0', 'OP_NOP1'],
    ['b1', 'OP_CLTV'],
    ['b2', 'OP_CSV'],
    ['b3', 'OP_NOP4'],
    ['b9', 'OP_NOP10'],
    ['ba', 'OP_CHECKSIGADD'],
    ['bb', 'OP_RETURN_187'],
    ['fe', 'OP_RETURN_254'],
    ['ff', 'OP_INVALIDOPCODE'],
  ])('%s is %s', (hex, name) => {
    expect(asm(hex)).toBe(name);
  });

  it('names every byte, and each name once (OP_0 aside, which is OP_PUSHBYTES_0 in rust-bitcoin)', () => {
    const names = Array.from({ length: 256 }, (_, op) => opcodeName(op));
    expect(names.every((n) => /^OP_[0-9A-Z_]+$/.test(n))).toBe(true);
    expect(new Set(names).size).toBe(256);
  });
});

/** One element of a generated script: an opcode that pushes nothing, or data in a chosen push form. */
type Piece = { op: number } | { data: Uint8Array; form: 'direct' | 1 | 2 | 4 };
const NON_PUSH = fc.oneof(fc.constant(0), fc.integer({ min: 0x4f, max: 0xff }));
const piece: fc.Arbitrary<Piece> = fc.oneof(
  NON_PUSH.map((op) => ({ op })),
  fc.record({ data: fc.uint8Array({ minLength: 1, maxLength: 75 }), form: fc.constant('direct' as const) }),
  fc.record({ data: fc.uint8Array({ maxLength: 300 }), form: fc.constantFrom(1 as const, 2 as const, 4 as const) }),
);

function encode(pieces: readonly Piece[]): { bytes: Uint8Array; text: string } {
  const bytes: number[] = [];
  const words: string[] = [];
  for (const p of pieces) {
    if ('op' in p) {
      bytes.push(p.op);
      words.push(opcodeName(p.op));
      continue;
    }
    const n = p.data.length;
    if (p.form === 'direct') {
      bytes.push(n);
      words.push(`OP_PUSHBYTES_${n}`);
    } else {
      const width = p.form === 1 ? 1 : p.form === 2 ? 2 : 4;
      if (p.form === 1 && n > 255) continue;
      bytes.push(width === 1 ? 0x4c : width === 2 ? 0x4d : 0x4e);
      for (let k = 0; k < width; k++) bytes.push((n >>> (8 * k)) & 0xff);
      words.push(`OP_PUSHDATA${width}`);
    }
    bytes.push(...p.data);
    if (n > 0) words.push(toHex(p.data));
  }
  return { bytes: Uint8Array.from(bytes), text: words.join(' ') };
}

describe('scriptAsm properties', () => {
  it('writes well-formed scripts as their opcodes and data, one space apart', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const { bytes, text } = encode(pieces);
        expect(scriptAsm(bytes)).toBe(text);
      }),
      { numRuns: 2_000 },
    );
  });

  it('never throws, and its text has no stray spaces, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const s = scriptAsm(bytes);
        expect(s).not.toMatch(/^ | $| {2}/);
        // A marker, if any, ends the text.
        const marker = s.search(/<unexpected end>|<push past end>/);
        if (marker >= 0) expect(s).toMatch(/(<unexpected end>|<push past end>)$/);
        expect(marker === -1 || s.indexOf('<', marker + 1) === -1).toBe(true);
      }),
      { numRuns: 5_000 },
    );
  });

});
