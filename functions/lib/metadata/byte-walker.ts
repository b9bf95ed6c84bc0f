/**
 * A parser is written once as a generator that asks for byte ranges, so the same code runs over an in-memory
 * buffer (parseImageMetadata) and over ranged reads of an S3 object (readImageMetadata).
 */

export interface ByteRequest {
  start: number;
  length: number;
}

/** Yields requests and receives bytes [start, start + length), shorter only where the file ends. */
export type ByteWalker<T> = Generator<ByteRequest, T, Uint8Array>;

export function runOnBuffer<T>(walker: ByteWalker<T>, bytes: Uint8Array): T {
  let step = walker.next();
  while (!step.done) {
    const start = Math.max(0, step.value.start);
    step = walker.next(bytes.subarray(start, start + Math.max(0, step.value.length)));
  }
  return step.value;
}
