/**
 * The one error type every decoder throws for bad bytes. Anything else escaping a decoder is a
 * bug: the fuzz tests assert exactly that.
 */
export class DecodeError extends Error {
  override readonly name: string = 'DecodeError';
  constructor(
    /** Short machine-friendly reason, e.g. "non-canonical CompactSize". */
    readonly reason: string,
    /** Byte offset in the input where the problem was found, when known. */
    readonly offset?: number,
  ) {
    super(offset === undefined ? reason : `${reason} at byte ${offset}`);
  }
}

/**
 * A message over a protocol limit on which Bitcoin Core disconnects (more than MAX_INV_SZ inv or
 * getdata entries, MAX_ADDR_TO_SEND addresses, MAX_HEADERS_RESULTS headers, MAX_LOCATOR_SZ locator
 * hashes: net_processing.cpp, Misbehaving and disconnect). Other decode errors cost only the message.
 */
export class LimitError extends DecodeError {
  override readonly name = 'LimitError';
}

/**
 * A payload whose checksum does not match its header. The frame boundary is still known, so, as
 * Core does (net.cpp V1Transport::GetReceivedMessage: "CHECKSUM ERROR", message dropped), only
 * this message is lost.
 */
export class ChecksumError extends DecodeError {
  override readonly name = 'ChecksumError';
}

/** Framing errors: the byte stream itself is broken, so the connection cannot continue. */
export class FramingError extends Error {
  override readonly name = 'FramingError';
  constructor(
    readonly reason: 'bad-magic' | 'oversized' | 'bad-command',
    message: string,
    /** bad-magic: the message start the peer sent (little-endian u32). */
    readonly magic?: number,
  ) {
    super(message);
  }
}
