/**
 * What memory costs on this machine, for reading the mempool view's figures (BENCHMARKS.md,
 * "Mempool view"): random reads of a typed array of 1 to 64 MB, one waiting for the other (a
 * probe that needs the line before) and free to overlap (reads ahead); a fresh array's first
 * touch per byte (a page fault per 4 KB) and a fault's user and system time; copying small ranges
 * by a byte loop and by TypedArray.prototype.set; an output's value (a BigInt, as the decoder
 * hands it: lib/wire/model.ts) as a number.
 *
 *   npm run bench:machine   (= node --import tsx scripts/bench-machine.ts)
 *
 * One JSON line per figure. Nothing else should run meanwhile.
 */
const line = (o: Record<string, unknown>): void => console.log(JSON.stringify(o));
const ns = (t: bigint, n: number): number => +(Number(process.hrtime.bigint() - t) / n).toFixed(1);

/** Random reads of an `mb`-MB Int32Array: ns a read, dependent (each index from the value before) and independent. */
function reads(mb: number): void {
  const n = (mb * 1024 * 1024) / 4;
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.imul(i, 0x9e3779b1) & (n - 1);
  const N = 2_000_000;
  let h = 12345;
  let x = 0;
  let t = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    h = (Math.imul(h, 0x9e3779b1) + i) | 0;
    x += a[h & (n - 1)] & 1;
  }
  const independent = ns(t, N);
  let p = 0;
  t = process.hrtime.bigint();
  for (let i = 0; i < N / 4; i++) p = a[Math.imul(p + i, 0x9e3779b1) & (n - 1)];
  line({ figure: 'random read', mb, dependent_ns: ns(t, N / 4), independent_ns: independent, _: (x + p) & 1 });
}

/**
 * A fresh 64 MB Uint8Array written once (every page's first touch), then again: ns a byte each
 * time; and a page fault's CPU split into user and system time (process.cpuUsage around the first
 * touch, divided by the faults counted): in a VM the host may back the page when the process
 * first touches it, which the guest charges to the process's own (user) time.
 */
function freshPages(): void {
  const n = 64 * 1024 * 1024;
  const a = new Uint8Array(n);
  const faults = process.resourceUsage().minorPageFault;
  const cpu = process.cpuUsage();
  let t = process.hrtime.bigint();
  for (let i = 0; i < n; i += 64) a[i] = 1;
  const first = ns(t, n);
  const used = process.cpuUsage(cpu);
  const f = Math.max(1, process.resourceUsage().minorPageFault - faults);
  t = process.hrtime.bigint();
  for (let i = 0; i < n; i += 64) a[i] = 2;
  line({
    figure: 'fresh pages',
    mb: 64,
    first_touch_ns_per_byte: first,
    second_touch_ns_per_byte: ns(t, n),
    faults: f,
    user_us_per_fault: +(used.user / f).toFixed(2),
    system_us_per_fault: +(used.system / f).toFixed(2),
  });
}

function copyLoop(src: Uint8Array, dst: Uint8Array, at: number): void {
  for (let k = 0; k < src.length; k++) dst[at + k] = src[k];
}
function copySet(src: Uint8Array, dst: Uint8Array, at: number): void {
  dst.set(src, at);
}

/** Copying `len` bytes from subarrays (as the decoder hands them) into a 1 MB array: ns a copy, loop and set(). */
function copies(len: number): void {
  const src = new Uint8Array(8192);
  const dst = new Uint8Array(1 << 20);
  const subs = Array.from({ length: 100 }, (_, i) => src.subarray(i * 41, i * 41 + len));
  const N = 2_000_000;
  const out: Record<string, number> = {};
  for (const [name, f] of [['loop', copyLoop], ['set', copySet], ['loop', copyLoop], ['set', copySet]] as const) {
    const t = process.hrtime.bigint();
    for (let r = 0; r < N; r++) f(subs[r % 100], dst, (r * 64) & 0xfffc0);
    out[`${name}_ns`] = ns(t, N); // the second round of each is kept (both optimized by then)
  }
  line({ figure: 'copy', bytes: len, ...out });
}

/**
 * `Number(value)` of a BigInt as the decoder makes them (getBigUint64 of 8 bytes), against reading
 * the same values from a Float64Array: ns a value. The view converts each output's value where it
 * checks it (lib/tx/check.ts), sums it (view.ts add) and packs it (pack.ts).
 */
function bigints(): void {
  const bytes = new DataView(new ArrayBuffer(8 * 1024));
  for (let i = 0; i < 1024; i++) bytes.setBigUint64(i * 8, BigInt(Math.floor(Math.random() * 2.1e15)), true);
  const values = Array.from({ length: 1024 }, (_, i) => bytes.getBigUint64(i * 8, true));
  const numbers = Float64Array.from(values, Number);
  const N = 4_000_000;
  let sum = 0;
  const out: Record<string, number> = {};
  for (let round = 0; round < 2; round++) {
    let t = process.hrtime.bigint();
    for (let r = 0; r < N; r++) sum += Number(values[r & 1023]);
    out.number_of_bigint_ns = ns(t, N); // the second round is kept (optimized by then)
    t = process.hrtime.bigint();
    for (let r = 0; r < N; r++) sum += numbers[r & 1023];
    out.float64_read_ns = ns(t, N);
  }
  line({ figure: 'bigint', ...out, check: sum > 0 });
}

for (const mb of [1, 4, 8, 16, 32, 64]) reads(mb);
freshPages();
for (const len of [8, 22, 32, 64]) copies(len);
bigints();
