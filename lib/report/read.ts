/**
 * The report's bound on a line (lines are split by lib/output/line-splitter.ts, shared with
 * `crawl merge`): a block line lists every txid (a 4 MWU block, consensus.h MAX_BLOCK_WEIGHT, holds
 * at most 4,000,000 / MIN_TRANSACTION_WEIGHT (240) ≈ 16,700 of them, ~1.1 MB), and a tx line of a
 * standard transaction (policy.h MAX_STANDARD_TX_WEIGHT, 400,000) with --raw is about 2 MB. Longer
 * lines are skipped and counted.
 */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;
