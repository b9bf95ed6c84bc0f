import { inflateSync } from 'node:zlib';
import { latin1, startsWith } from '../image-header/bytes';
import { MAX_METADATA_BLOCK_BYTES, type EmbeddedMetadata } from './embedded';

export const TEXT_CHUNK_TYPES = new Set(['tEXt', 'zTXt', 'iTXt']);
/** A keyword is 1..79 Latin-1 characters and a NUL: this many bytes tell whether a text chunk is worth reading. */
export const KEYWORD_PROBE_BYTES = 80;

const XMP_KEYWORD = 'XML:com.adobe.xmp';
/** ImageMagick keeps profiles as hex in text chunks ("Raw profile type exif"), from before PNG had eXIf. */
const RAW_PROFILE_PREFIX = 'Raw profile type ';
const RAW_EXIF_PROFILES = new Set(['exif', 'APP1']);

export function keywordOf(chunkStart: Uint8Array): string | undefined {
  const end = chunkStart.indexOf(0);
  return end > 0 ? latin1(chunkStart, 0, end) : undefined;
}

export function carriesMetadata(keyword: string | undefined): boolean {
  return keyword === XMP_KEYWORD || keyword?.startsWith(RAW_PROFILE_PREFIX) === true;
}

/** EXIF or XMP from a whole tEXt/zTXt/iTXt chunk's data; nothing when it holds neither or does not decode. */
export function decodeTextChunk(type: string, data: Uint8Array): EmbeddedMetadata {
  const keyword = keywordOf(data);
  if (!keyword) return {};
  const text = chunkText(type, data.subarray(keyword.length + 1));
  if (!text) return {};
  if (keyword === XMP_KEYWORD) return { xmp: text };
  const profile = keyword.slice(RAW_PROFILE_PREFIX.length);
  const bytes = keyword.startsWith(RAW_PROFILE_PREFIX) ? rawProfileBytes(text) : undefined;
  if (!bytes) return {};
  if (profile === 'xmp') return { xmp: bytes };
  if (RAW_EXIF_PROFILES.has(profile)) {
    return { tiff: startsWith(bytes, 'Exif\0') ? bytes.subarray(6) : bytes };
  }
  return {};
}

function chunkText(type: string, afterKeyword: Uint8Array): Uint8Array | undefined {
  if (type === 'tEXt') return afterKeyword;
  if (type === 'zTXt') return afterKeyword[0] === 0 ? inflate(afterKeyword.subarray(1)) : undefined;
  // iTXt: compression flag, method, language tag NUL, translated keyword NUL, then the text.
  const compressed = afterKeyword[0] === 1;
  const languageEnd = afterKeyword.indexOf(0, 2);
  const translatedEnd = languageEnd < 0 ? -1 : afterKeyword.indexOf(0, languageEnd + 1);
  if (translatedEnd < 0) return undefined;
  const text = afterKeyword.subarray(translatedEnd + 1);
  return compressed ? inflate(text) : text;
}

function inflate(deflated: Uint8Array): Uint8Array | undefined {
  try {
    return inflateSync(deflated, { maxOutputLength: MAX_METADATA_BLOCK_BYTES });
  } catch {
    return undefined;
  }
}

/** "\n<name>\n   <byte count>\n<hex digits over many lines>" */
function rawProfileBytes(text: Uint8Array): Uint8Array | undefined {
  const match = /^\s*[^\n]*\n\s*(\d+)\s*\n([\s0-9a-fA-F]*)$/.exec(latin1(text, 0, text.length));
  if (!match) return undefined;
  const length = Number(match[1]);
  const digits = match[2]!.replace(/\s+/g, '');
  if (length === 0 || length > MAX_METADATA_BLOCK_BYTES || digits.length < length * 2) return undefined;
  return Uint8Array.from(Buffer.from(digits.slice(0, length * 2), 'hex'));
}
