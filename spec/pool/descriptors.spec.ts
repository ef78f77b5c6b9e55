import { describe, expect, it } from 'vitest';
import { openFilesLimit, parseOpenFilesLimit } from '../../lib/pool/descriptors.js';

describe('open files limit', () => {
  it('reads the soft limit from /proc/self/limits text', () => {
    const text = ['Limit                     Soft Limit           Hard Limit           Units', 'Max open files            1024                 524288               files', ''].join('\n');
    expect(parseOpenFilesLimit(text)).toBe(1024);
    expect(parseOpenFilesLimit(text.replace('1024 ', 'unlimited '))).toBeUndefined();
    expect(parseOpenFilesLimit('')).toBeUndefined();
  });

  it('reads this process\'s limit on Linux', () => {
    expect(openFilesLimit()).toBeGreaterThan(0);
  });
});
