import type { ImageFormat } from '../image-metadata';
import { latin1, startsWith, u32be, u32le } from '../image-header/bytes';
import { SOI } from '../image-header/jpeg';
import { hasPngSignature } from '../image-header/png';

const BMP_INFO_HEADER_SIZES = new Set([12, 16, 40, 52, 56, 64, 108, 124]);
const AVIF_BRANDS = new Set(['avif', 'avis']);
const HEIC_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs']);
/** Brands of the HEIF container itself: the codec is told by the compatible brands. */
const HEIF_BRANDS = new Set(['mif1', 'msf1', 'mif2', 'miaf']);

/** Format from magic bytes only (never name or Content-Type). */
export function detectImageFormat(head: Uint8Array): ImageFormat {
  if (startsWith(head, [...SOI, 0xff])) return 'JPEG';
  if (hasPngSignature(head)) return 'PNG';
  if (startsWith(head, 'GIF87a') || startsWith(head, 'GIF89a')) return 'GIF';
  if (startsWith(head, 'RIFF') && startsWith(head, 'WEBP', 8)) return 'WEBP';
  if (isTiff(head)) return 'TIFF';
  if (startsWith(head, 'BM') && head.length >= 18 && BMP_INFO_HEADER_SIZES.has(u32le(head, 14))) return 'BMP';
  if (startsWith(head, '%PDF-')) return 'PDF';
  const isoFormat = isoBaseMediaFormat(head);
  if (isoFormat) return isoFormat;
  if (isSvg(head)) return 'SVG';
  return 'UNKNOWN';
}

function isTiff(head: Uint8Array): boolean {
  // Classic TIFF (42) and BigTIFF (43), in both byte orders.
  return [
    [0x49, 0x49, 0x2a, 0x00],
    [0x4d, 0x4d, 0x00, 0x2a],
    [0x49, 0x49, 0x2b, 0x00],
    [0x4d, 0x4d, 0x00, 0x2b],
  ].some((magic) => startsWith(head, magic));
}

function isoBaseMediaFormat(head: Uint8Array): ImageFormat | undefined {
  if (head.length < 16 || !startsWith(head, 'ftyp', 4)) return undefined;
  const boxEnd = Math.min(head.length, u32be(head, 0));
  const major = latin1(head, 8, 4);
  const compatible: string[] = [];
  for (let at = 16; at + 4 <= boxEnd; at += 4) compatible.push(latin1(head, at, 4));
  if (AVIF_BRANDS.has(major)) return 'AVIF';
  if (HEIC_BRANDS.has(major)) return 'HEIC';
  if (!HEIF_BRANDS.has(major)) return undefined;
  if (compatible.some((brand) => AVIF_BRANDS.has(brand))) return 'AVIF';
  if (compatible.some((brand) => HEIC_BRANDS.has(brand))) return 'HEIC';
  return 'HEIF'; // the container with no codec brand we know (JPEG or uncompressed items, or a brand to come)
}

/** SVG is text: `<svg` as the first element, after an optional BOM, XML declaration, comments and doctype. */
function isSvg(head: Uint8Array): boolean {
  const text = decodeText(head);
  let at = 0;
  // Every pass consumes at least one construct, so the text length bounds the loop.
  while (at < text.length) {
    at = skipWhitespace(text, at);
    if (text.startsWith('<?', at) || text.startsWith('<!--', at)) {
      const close = text.startsWith('<?', at) ? '?>' : '-->';
      const end = text.indexOf(close, at + 2);
      if (end < 0) return false;
      at = end + close.length;
    } else if (text.startsWith('<!DOCTYPE', at)) {
      const end = doctypeEnd(text, at);
      if (end < 0) return false;
      at = end;
    } else {
      return /^<svg(?:[\s/>]|$)/.test(text.slice(at, at + 5));
    }
  }
  return false;
}

function decodeText(head: Uint8Array): string {
  if (startsWith(head, [0xff, 0xfe])) return new TextDecoder('utf-16le').decode(head.subarray(2));
  if (startsWith(head, [0xfe, 0xff])) return new TextDecoder('utf-16be').decode(head.subarray(2));
  return new TextDecoder('utf-8').decode(startsWith(head, [0xef, 0xbb, 0xbf]) ? head.subarray(3) : head);
}

function skipWhitespace(text: string, at: number): number {
  while (at < text.length && /\s/.test(text[at]!)) at += 1;
  return at;
}

/** Index just past a doctype, whose internal subset `[...]` may itself hold `>`. */
function doctypeEnd(text: string, at: number): number {
  const subset = text.indexOf('[', at);
  const close = text.indexOf('>', at);
  if (close < 0) return -1;
  if (subset < 0 || subset > close) return close + 1;
  const subsetEnd = text.indexOf(']', subset);
  if (subsetEnd < 0) return -1;
  const end = text.indexOf('>', subsetEnd);
  return end < 0 ? -1 : end + 1;
}
