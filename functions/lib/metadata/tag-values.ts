/**
 * Readers for ExifReader tag values, which come from the file and so may have any shape: each returns a clean
 * value or undefined, never throws.
 */

export interface Tag {
  value?: unknown;
  description?: unknown;
}
export type TagGroup = Readonly<Record<string, Tag | undefined>>;

/** Camera strings are short; anything longer is noise or an attack on the item size. */
export const MAX_TEXT_LENGTH = 128;

/** EXIF ASCII comes as ["text"], XMP as "text" or [{ value: "text" }] for lists. */
export function textOf(tag: Tag | undefined): string | undefined {
  const raw = first(tag?.value);
  if (typeof raw !== 'string') return undefined;
  // eslint-disable-next-line no-control-regex
  const clean = raw.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return clean
    ? Array.from(clean.slice(0, 2 * MAX_TEXT_LENGTH))
        .slice(0, MAX_TEXT_LENGTH)
        .join('')
        .trim()
    : undefined;
}

/** A number from an EXIF integer or rational [numerator, denominator], or XMP text such as "1/6" or "5.6". */
export function numberOf(tag: Tag | undefined): number | undefined {
  const number = toNumber(first(tag?.value));
  return number !== undefined && Number.isFinite(number) ? number : undefined;
}

export function positiveNumberOf(tag: Tag | undefined): number | undefined {
  const number = numberOf(tag);
  return number !== undefined && number > 0 ? number : undefined;
}

/** An EXIF list of rationals (GPS degrees, minutes, seconds) as numbers; NaN where a denominator is 0. */
export function rationalsOf(tag: Tag | undefined): number[] | undefined {
  const value = tag?.value;
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const numbers = value.map(toNumber);
  return numbers.every((n): n is number => n !== undefined) ? numbers : undefined;
}

export function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (isRational(value)) return value[1] === 0 ? Number.NaN : value[0] / value[1];
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  const fraction = /^(-?\d+(?:\.\d+)?)\/(\d+(?:\.\d+)?)$/.exec(text);
  if (fraction) return Number(fraction[2]) === 0 ? Number.NaN : Number(fraction[1]) / Number(fraction[2]);
  return /^-?\d+(?:\.\d+)?$/.test(text) ? Number(text) : undefined;
}

function isRational(value: unknown): value is [number, number] {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'number' && typeof value[1] === 'number';
}

/** The first item of a list value, unwrapping XMP's { value } items; a rational pair is one value, not a list. */
function first(value: unknown): unknown {
  if (!Array.isArray(value) || isRational(value)) return value;
  const item: unknown = value[0];
  return item !== null && typeof item === 'object' && 'value' in item ? (item as Tag).value : item;
}
