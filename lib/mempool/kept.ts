/**
 * Packed bytes kept transactions may take, an output, on average: their bound in bytes is this ×
 * their bound in outputs (the recent blocks' outputs', outputs.ts CONFIRMED_OUTPUTS_MAX: 32 MB).
 * A 2-input 2-output P2WPKH transaction packs 140 bytes, 70 an output.
 */
export const KEPT_BYTES_PER_OUTPUT = 128;

/**
 * The confirmed transactions the store keeps in their slots for their outputs (store.ts keep()), in
 * the order they were kept, and their totals against their bounds: `maxOutputs` outputs and
 * KEPT_BYTES_PER_OUTPUT packed bytes an output. A ring of slot numbers, made at the first push: an
 * entry whose slot left meanwhile (expired, or taken for the view) stays until it comes up, and the
 * store skips it then.
 */
export class KeptQueue {
  private slots = new Int32Array(0);
  private first = 0;
  private next = 0;
  /** Kept transactions, their outputs and their packed bytes. */
  count = 0;
  outputs = 0;
  bytes = 0;

  constructor(readonly maxOutputs: number) {}

  /** Past a bound: the oldest should go. */
  get over(): boolean {
    return this.count > 0 && (this.outputs > this.maxOutputs || this.bytes > this.maxOutputs * KEPT_BYTES_PER_OUTPUT);
  }

  /** No room for one more entry: the oldest must be taken off first. A kept transaction has an output at least, so the ring holds maxOutputs. */
  get full(): boolean {
    return this.next - this.first === this.slots.length;
  }

  push(slot: number, outputs: number, bytes: number): void {
    if (this.slots.length === 0) this.slots = new Int32Array(Math.max(1, this.maxOutputs));
    this.slots[this.next++ % this.slots.length] = slot;
    this.count++;
    this.outputs += outputs;
    this.bytes += bytes;
  }

  /** The oldest entry's slot, taken off the ring; -1 when it is empty. */
  shift(): number {
    return this.first < this.next ? this.slots[this.first++ % this.slots.length] : -1;
  }

  /** A kept transaction left, whatever made it go. */
  left(outputs: number, bytes: number): void {
    this.count--;
    this.outputs -= outputs;
    this.bytes -= bytes;
  }
}
