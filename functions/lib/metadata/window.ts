import type { ByteWalker } from './byte-walker';

/** Holds the EXIF of almost every JPEG and the whole head of other formats in one request. */
export const FIRST_WINDOW_BYTES = 64 * 1024;

/**
 * Bytes of the file from `start`, as one read returned them (shorter where the file ends). Walkers parse inside a
 * window and read again only for a range it does not hold, because on S3 each request costs more than its bytes.
 */
export interface Window {
  start: number;
  bytes: Uint8Array;
}

export function holds(window: Window, at: number, length: number): boolean {
  return at >= window.start && at + length <= window.start + window.bytes.length;
}

/** Bytes [at, at + length) of the file, shorter where the window ends; `at` must not precede the window. */
export function slice(window: Window, at: number, length: number): Uint8Array {
  return window.bytes.subarray(at - window.start, at - window.start + length);
}

export function* readWindow(start: number, length: number): ByteWalker<Window> {
  return { start, bytes: yield { start, length } };
}
