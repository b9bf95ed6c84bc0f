import { startsWith, u32be } from './bytes';

/**
 * The PNG layout both readers of a PNG's header rely on: the metadata step's chunk walk (metadata/png.ts) and the
 * thumbnail step's structural check (thumbnail/header.ts).
 */
export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;
export const SIGNATURE_BYTES = PNG_SIGNATURE.length;
/** Length, type and CRC around each chunk's data. */
export const CHUNK_OVERHEAD = 12;
/** Where IHDR, always the first chunk and always 13 bytes of data, ends. */
export const IHDR_END = SIGNATURE_BYTES + CHUNK_OVERHEAD + 13;

export const hasPngSignature = (bytes: Uint8Array): boolean => startsWith(bytes, PNG_SIGNATURE);

export interface ChunkHeader {
  /** Bytes of data, between the type and the CRC. */
  length: number;
  type: string;
}

/** The length and type of the chunk at `at`; the caller checks that 8 bytes are there. */
export function readChunkHeader(bytes: Uint8Array, at: number): ChunkHeader {
  const length = u32be(bytes, at);
  return { length, type: String.fromCharCode(bytes[at + 4]!, bytes[at + 5]!, bytes[at + 6]!, bytes[at + 7]!) };
}

export interface Ihdr {
  width: number;
  height: number;
  /** Bits per sample (per palette index for colour type 3). */
  bitDepth: number;
  /** 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA. */
  colourType: number;
  /** Compression, filter and interlace methods as stored (only 0, 0 and 0/1 are defined). */
  methods: [number, number, number];
}

/** IHDR's fields, or undefined when the bytes do not hold a 13-byte IHDR right after the signature. */
export function readIhdr(bytes: Uint8Array): Ihdr | undefined {
  if (bytes.length < IHDR_END) return undefined;
  const { length, type } = readChunkHeader(bytes, SIGNATURE_BYTES);
  if (type !== 'IHDR' || length !== 13) return undefined;
  return {
    width: u32be(bytes, 16),
    height: u32be(bytes, 20),
    bitDepth: bytes[24]!,
    colourType: bytes[25]!,
    methods: [bytes[26]!, bytes[27]!, bytes[28]!],
  };
}
