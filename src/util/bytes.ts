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
