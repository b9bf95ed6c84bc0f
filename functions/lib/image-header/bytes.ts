/** Fixed-width reads from a byte array; callers check lengths first, so out-of-range reads are bugs and throw. */

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

// Big-endian reads run once or twice per chunk or segment of a whole photo (thousands of IDAT chunks in a 12 MP PNG),
// so they read the bytes directly rather than through a new DataView each time.
export function u16be(bytes: Uint8Array, at: number): number {
  inBounds(bytes, at, 2);
  return (bytes[at]! << 8) | bytes[at + 1]!;
}

export function u32be(bytes: Uint8Array, at: number): number {
  inBounds(bytes, at, 4);
  return bytes[at]! * 0x1000000 + ((bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!);
}

function inBounds(bytes: Uint8Array, at: number, length: number): void {
  if (!(at >= 0 && at + length <= bytes.length))
    throw new RangeError(`Offset ${at} is outside the bounds of the bytes`);
}

export const u16le = (bytes: Uint8Array, at: number): number => view(bytes).getUint16(at, true);
export const u32le = (bytes: Uint8Array, at: number): number => view(bytes).getUint32(at, true);
export const i32le = (bytes: Uint8Array, at: number): number => view(bytes).getInt32(at, true);

export function u24le(bytes: Uint8Array, at: number): number {
  return view(bytes).getUint16(at, true) + (view(bytes).getUint8(at + 2) << 16);
}

/** Latin-1 text of bytes [start, start + length), shorter when the array ends first. */
export function latin1(bytes: Uint8Array, start: number, length: number): string {
  const part = bytes.subarray(start, start + length);
  return Buffer.from(part.buffer, part.byteOffset, part.byteLength).toString('latin1');
}

export function startsWith(bytes: Uint8Array, prefix: readonly number[] | string, at = 0): boolean {
  const expected = typeof prefix === 'string' ? Array.from(prefix, (c) => c.charCodeAt(0)) : prefix;
  if (bytes.length < at + expected.length) return false;
  return expected.every((value, i) => bytes[at + i] === value);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
