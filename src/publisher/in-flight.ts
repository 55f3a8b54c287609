/**
 * The messages awaiting their ack, by token: a fixed table of slots, `token & mask`.
 *
 * A `Map` did this before, and cost a third of what a sample scan promoted to V8's old
 * generation: with entries added and deleted all the time, a Map rebuilds its hash table
 * every few hundred operations, and the table it leaves behind, already in the old
 * generation, still points at every entry it held. Until the next mark-compact the young
 * collector takes those pointers for live ones, so every message in flight at a rebuild,
 * its bytes and strings included, was copied into the old generation and died there
 * (docs/benchmarks.md). The slots are allocated once and a settled entry's slot is
 * cleared at once.
 *
 * Tokens count up; `take` skips a token whose slot is still held (a message retried for
 * long), so with twice as many slots as the window allows in flight, a free slot is near.
 */

/** An entry of the table: the token it was given. */
export interface Tokened {
  readonly token: number;
}

export class InFlight<T extends Tokened> {
  readonly #slots: (T | undefined)[];
  readonly #mask: number;
  #next = 0;
  #size = 0;

  /** A table for at most `capacity` entries at once. */
  constructor(capacity: number) {
    let slots = 2;
    while (slots < capacity * 2) slots *= 2;
    this.#slots = new Array<T | undefined>(slots).fill(undefined);
    this.#mask = slots - 1;
  }

  get size(): number {
    return this.#size;
  }

  /** The token for the next entry: its slot is free. Throws when the table is full. */
  take(): number {
    if (this.#size >= this.#slots.length) throw new Error("in-flight table is full");
    let token = this.#next;
    while (this.#slots[token & this.#mask] !== undefined) token += 1;
    this.#next = token + 1;
    return token;
  }

  /** Adds an entry under a token `take` gave. */
  add(entry: T): void {
    const slot = entry.token & this.#mask;
    if (this.#slots[slot] !== undefined) throw new Error(`token ${entry.token}'s slot is held`);
    this.#slots[slot] = entry;
    this.#size += 1;
  }

  /** The entry with this token, or undefined (settled, or never given). */
  get(token: number): T | undefined {
    const entry = this.#slots[token & this.#mask];
    return entry !== undefined && entry.token === token ? entry : undefined;
  }

  /** Removes the entry; false when it was not there. */
  delete(entry: T): boolean {
    const slot = entry.token & this.#mask;
    if (this.#slots[slot] !== entry) return false;
    this.#slots[slot] = undefined;
    this.#size -= 1;
    return true;
  }

  /** The entries now, in slot order, as an array that later changes do not touch. */
  values(): T[] {
    const out: T[] = [];
    if (this.#size === 0) return out;
    for (const entry of this.#slots) if (entry !== undefined) out.push(entry);
    return out;
  }
}
