/* global process */
// Preloaded into a child (NODE_OPTIONS=--require): its peak resident memory, said on stderr as it exits.
process.on('exit', () => process.stderr.write(`maxrss_kb=${process.resourceUsage().maxRSS}\n`));
