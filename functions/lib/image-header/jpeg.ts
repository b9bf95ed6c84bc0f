import { u16be } from './bytes';

/**
 * The JPEG marker grammar both readers of a JPEG's header rely on: the metadata step's walk from SOI to the frame
 * header (metadata/jpeg.ts, over ranged reads) and the thumbnail step's structural check from SOI to EOI
 * (thumbnail/header.ts, over the whole file).
 */
export const SOI = [0xff, 0xd8] as const;
export const SOS = 0xda;
export const EOI = 0xd9;
export const APP1 = 0xe1;

/** SOF0..SOF15, minus the markers that share the range: DHT (C4), JPG (C8) and DAC (CC). */
export function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/** Markers without a length field: TEM, RST0..7 and a repeated SOI. */
export function isStandalone(marker: number): boolean {
  return marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8);
}

/** Bytes of a frame header from its marker up to the width: FF Cn, length, precision, height, width. */
export const FRAME_HEADER_BYTES = 9;

export interface FrameHeader {
  /** Bits per sample. */
  precision: number;
  width: number;
  height: number;
  /** 1 grey, 3 YCbCr or RGB, 4 CMYK or YCCK; 0 when the bytes end before it (the metadata walk reads up to width). */
  components: number;
}

/** The frame header whose marker starts at `at`; the caller checks that FRAME_HEADER_BYTES are there. */
export function readFrameHeader(bytes: Uint8Array, at: number): FrameHeader {
  return {
    precision: bytes[at + 4] ?? 0,
    height: u16be(bytes, at + 5),
    width: u16be(bytes, at + 7),
    components: bytes[at + 9] ?? 0,
  };
}
