/**
 * The one error type every decoder throws for bad bytes. Anything else escaping a decoder is a
 * bug: the fuzz tests assert exactly that.
 */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(
    /** Short machine-friendly reason, e.g. "non-canonical CompactSize". */
    readonly reason: string,
    /** Byte offset in the input where the problem was found, when known. */
    readonly offset?: number,
  ) {
    super(offset === undefined ? reason : `${reason} at byte ${offset}`);
  }
}

/** Framing errors: the byte stream itself is broken, so the connection cannot continue. */
export class FramingError extends Error {
  override readonly name = 'FramingError';
  constructor(readonly reason: 'bad-magic' | 'oversized' | 'bad-checksum' | 'bad-command', message: string) {
    super(message);
  }
}
