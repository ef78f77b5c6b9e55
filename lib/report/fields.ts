/** Reading fields of a parsed line without trusting it: each helper says undefined for a wrong type. */

export type Json = Record<string, unknown>;

export function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A finite number, or undefined. */
export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** A finite number ≥ 0, or undefined. */
export function nonNeg(v: unknown): number | undefined {
  const n = num(v);
  return n !== undefined && n >= 0 ? n : undefined;
}

/** A non-empty string of at most `max` characters, or undefined. */
export function str(v: unknown, max: number): string | undefined {
  return typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined;
}

/** `o[a][b]` as a number. */
export function numAt(o: Json, a: string, b: string): number | undefined {
  const inner = o[a];
  return isRecord(inner) ? num(inner[b]) : undefined;
}

/** Longest name (network, vantage, reason) kept as it is; longer ones are not trusted as names. */
export const MAX_NAME_CHARS = 64;
/** Longest user agent kept: Core's MAX_SUBVERSION_LENGTH (net_processing.h), 256 bytes. */
export const MAX_USER_AGENT_CHARS = 256;
