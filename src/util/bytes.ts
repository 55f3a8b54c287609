/** Whether bytes [from, to) of `bytes` are exactly `other`. */
export function bytesEqual(
  bytes: Uint8Array,
  from: number,
  to: number,
  other: Uint8Array,
): boolean {
  if (to - from !== other.length) return false;
  for (let i = 0; i < other.length; i++) {
    if (bytes[from + i] !== other[i]) return false;
  }
  return true;
}

/**
 * The text of a byte range, decoded again only when the bytes differ from the last
 * range's: for a value most messages repeat (a stream's name in acks, a scan id in
 * headers), comparing a few bytes is cheaper than decoding them, and the same string is
 * handed out each time.
 */
export class RepeatedText {
  #bytes = new Uint8Array(0);
  #text = "";
  static readonly #decoder = new TextDecoder();

  of(bytes: Uint8Array, from: number, to: number): string {
    if (!bytesEqual(bytes, from, to, this.#bytes)) {
      this.#bytes = bytes.slice(from, to);
      this.#text = RepeatedText.#decoder.decode(this.#bytes);
    }
    return this.#text;
  }
}
