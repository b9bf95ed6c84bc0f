import { CorruptImage } from '../errors';

/** The five PNG filters, reversed: each row's bytes were stored as differences from a prediction. */

const FILTER_NAMES = ['None', 'Sub', 'Up', 'Average', 'Paeth'];

/**
 * Reverses the row's filter in place; `row[0]` is the filter type, `previous` the unfiltered row above (zeros for the
 * first row of the image or of an Adam7 pass), `y` that row's number in its pass (0 first), `rowNumber` its number in
 * the image data, for messages.
 */
export function unfilter(row: Uint8Array, previous: Uint8Array, pixelBytes: number, y: number, rowNumber = y): void {
  const filter = row[0]!;
  // With no row above, Up adds nothing, Average halves the left byte alone, and Paeth always predicts the left byte.
  if (y === 0 && filter !== 0) {
    if (filter === 1 || filter === 4) unfilterSub(row, pixelBytes);
    else if (filter === 3) unfilterAverageFirst(row, pixelBytes);
    else if (filter !== 2) throw unknownFilter(filter, rowNumber);
    return;
  }
  switch (filter) {
    case 0:
      return;
    case 1:
      unfilterSub(row, pixelBytes);
      return;
    case 2:
      unfilterUp(row, previous);
      return;
    case 3:
      unfilterAverage(row, previous, pixelBytes);
      return;
    case 4:
      unfilterPaeth(row, previous, pixelBytes);
      return;
    default:
      throw unknownFilter(filter, rowNumber);
  }
}

function unknownFilter(filter: number, y: number): CorruptImage {
  return new CorruptImage(
    `PNG could not be decoded: row ${y} has filter type ${filter}, not one of ${FILTER_NAMES.join(', ')}`,
  );
}

function unfilterSub(row: Uint8Array, pixelBytes: number): void {
  for (let i = 1 + pixelBytes; i < row.length; i += 1) row[i] = row[i]! + row[i - pixelBytes]!;
}

function unfilterUp(row: Uint8Array, up: Uint8Array): void {
  for (let i = 1; i < row.length; i += 1) row[i] = row[i]! + up[i]!;
}

function unfilterAverageFirst(row: Uint8Array, pixelBytes: number): void {
  for (let i = 1 + pixelBytes; i < row.length; i += 1) row[i] = row[i]! + (row[i - pixelBytes]! >> 1);
}

function unfilterAverage(row: Uint8Array, up: Uint8Array, pixelBytes: number): void {
  for (let i = 1; i <= pixelBytes; i += 1) row[i] = row[i]! + (up[i]! >> 1);
  for (let i = 1 + pixelBytes; i < row.length; i += 1) row[i] = row[i]! + ((row[i - pixelBytes]! + up[i]!) >> 1);
}

function unfilterPaeth(row: Uint8Array, up: Uint8Array, pixelBytes: number): void {
  if (pixelBytes === 3) return unfilterPaeth3(row, up);
  if (pixelBytes === 4) return unfilterPaeth4(row, up);
  for (let i = 1; i <= pixelBytes; i += 1) row[i] = row[i]! + up[i]!;
  for (let i = 1 + pixelBytes; i < row.length; i += 1)
    row[i] = row[i]! + paeth(row[i - pixelBytes]!, up[i]!, up[i - pixelBytes]!);
}

/** RGB rows: each channel's left and upper-left bytes stay in locals (a quarter faster than reading them back). */
function unfilterPaeth3(row: Uint8Array, up: Uint8Array): void {
  let a0 = 0,
    a1 = 0,
    a2 = 0,
    c0 = 0,
    c1 = 0,
    c2 = 0;
  for (let i = 1; i < row.length; i += 3) {
    let b = up[i]!;
    a0 = (row[i]! + paeth(a0, b, c0)) & 0xff;
    row[i] = a0;
    c0 = b;
    b = up[i + 1]!;
    a1 = (row[i + 1]! + paeth(a1, b, c1)) & 0xff;
    row[i + 1] = a1;
    c1 = b;
    b = up[i + 2]!;
    a2 = (row[i + 2]! + paeth(a2, b, c2)) & 0xff;
    row[i + 2] = a2;
    c2 = b;
  }
}

function unfilterPaeth4(row: Uint8Array, up: Uint8Array): void {
  let a0 = 0,
    a1 = 0,
    a2 = 0,
    a3 = 0,
    c0 = 0,
    c1 = 0,
    c2 = 0,
    c3 = 0;
  for (let i = 1; i < row.length; i += 4) {
    let b = up[i]!;
    a0 = (row[i]! + paeth(a0, b, c0)) & 0xff;
    row[i] = a0;
    c0 = b;
    b = up[i + 1]!;
    a1 = (row[i + 1]! + paeth(a1, b, c1)) & 0xff;
    row[i + 1] = a1;
    c1 = b;
    b = up[i + 2]!;
    a2 = (row[i + 2]! + paeth(a2, b, c2)) & 0xff;
    row[i + 2] = a2;
    c2 = b;
    b = up[i + 3]!;
    a3 = (row[i + 3]! + paeth(a3, b, c3)) & 0xff;
    row[i + 3] = a3;
    c3 = b;
  }
}

/**
 * The Paeth predictor without branches (photo data makes its comparisons unpredictable: twice as fast this way).
 * p - a, p - b and p - c are b - c, a - c and their sum; the masks pick a, else b, else c, as the spec orders ties.
 */
function paeth(a: number, b: number, c: number): number {
  const pa = Math.abs(b - c);
  const pb = Math.abs(a - c);
  const pc = Math.abs(b - c + a - c);
  const notA = ((pb - pa) | (pc - pa)) >> 31;
  const notB = (pc - pb) >> 31;
  return (a & ~notA) | (((b & ~notB) | (c & notB)) & notA);
}
