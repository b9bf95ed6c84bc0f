import { CorruptImage } from '../errors';
import type { PngFrame } from './header';

/** PNG samples at any depth and colour type, turned into 8-bit RGBA the way pngjs does. */

export type RowConverter = (row: Uint8Array, rgba: Uint8Array) => void;

/**
 * Builds the function that turns one unfiltered row (filter byte first) into 8-bit RGBA the way pngjs's bitmapper and
 * format normaliser do: samples scaled with floor(v * 255 / max + 0.5), a pixel matching the grey or RGB tRNS colour
 * (compared before scaling) made (0, 0, 0, 0), palette entries with their tRNS alpha, an index past the palette refused.
 */
export function rowConverter(frame: PngFrame, width: number): RowConverter {
  const [compression, filterMethod, interlace] = frame.methods;
  if (compression !== 0 || filterMethod !== 0 || (interlace !== 0 && interlace !== 1)) {
    throw new CorruptImage(
      `PNG could not be decoded: unknown compression, filter or interlace method (${frame.methods.join(', ')})`,
    );
  }
  if (frame.unknownCriticalChunk !== undefined) {
    throw new CorruptImage(`PNG could not be decoded: unknown critical chunk ${frame.unknownCriticalChunk}`);
  }
  const { colourType, bitDepth } = frame;
  const channels = frame.bitsPerPixel / bitDepth;
  const readSamples = sampleReader(bitDepth, width * channels);
  if (colourType === 3) return paletteConverter(frame, width, readSamples);
  const scale = depthScale(bitDepth);
  const key = transparentColour(frame);
  return (row, rgba) => {
    const samples = readSamples(row);
    for (let x = 0, s = 0, o = 0; x < width; x += 1, s += channels, o += 4) {
      let r: number;
      let g: number;
      let b: number;
      let a = 255;
      if (channels <= 2) {
        r = g = b = samples[s]!;
        if (channels === 2) a = scale[samples[s + 1]!]!;
        else if (key !== undefined && r === key[0]) a = -1;
      } else {
        r = samples[s]!;
        g = samples[s + 1]!;
        b = samples[s + 2]!;
        if (channels === 4) a = scale[samples[s + 3]!]!;
        else if (key !== undefined && r === key[0] && g === key[1] && b === key[2]) a = -1;
      }
      if (a < 0) {
        rgba[o] = rgba[o + 1] = rgba[o + 2] = rgba[o + 3] = 0;
      } else {
        rgba[o] = scale[r]!;
        rgba[o + 1] = scale[g]!;
        rgba[o + 2] = scale[b]!;
        rgba[o + 3] = a;
      }
    }
  };
}

function paletteConverter(
  frame: PngFrame,
  width: number,
  readSamples: (row: Uint8Array) => ArrayLike<number>,
): RowConverter {
  const plte = frame.palette;
  if (plte === undefined || plte.length < 3)
    throw new CorruptImage('PNG could not be decoded: a palette image has no PLTE chunk');
  const entries = Math.floor(plte.length / 3);
  const alpha = frame.transparency ?? new Uint8Array(0);
  if (alpha.length > entries)
    throw new CorruptImage('PNG could not be decoded: tRNS has more entries than the palette');
  const colours = new Uint8Array(entries * 4);
  for (let i = 0; i < entries; i += 1) {
    colours.set(plte.subarray(i * 3, i * 3 + 3), i * 4);
    colours[i * 4 + 3] = i < alpha.length ? alpha[i]! : 255;
  }
  const colours32 = new Uint32Array(colours.buffer);
  return (row, rgba) => {
    const samples = readSamples(row);
    const pixels = new Uint32Array(rgba.buffer, rgba.byteOffset, width);
    for (let x = 0; x < width; x += 1) {
      const index = samples[x]!;
      if (index >= entries)
        throw new CorruptImage(`PNG could not be decoded: palette index ${index} past its ${entries} entries`);
      pixels[x] = colours32[index]!;
    }
  };
}

/** The samples of one row at their stored depth: a view for 8 bits, unpacked (MSB first) or big-endian 16-bit otherwise. */
function sampleReader(bitDepth: number, count: number): (row: Uint8Array) => ArrayLike<number> {
  if (bitDepth === 8) return (row) => row.subarray(1, 1 + count);
  const samples = new Uint16Array(count);
  if (bitDepth === 16) {
    return (row) => {
      for (let i = 0, at = 1; i < count; i += 1, at += 2) samples[i] = (row[at]! << 8) | row[at + 1]!;
      return samples;
    };
  }
  const perByte = 8 / bitDepth;
  const mask = (1 << bitDepth) - 1;
  return (row) => {
    for (let i = 0; i < count; i += 1) {
      const shift = 8 - bitDepth * ((i % perByte) + 1);
      samples[i] = (row[1 + Math.floor(i / perByte)]! >> shift) & mask;
    }
    return samples;
  };
}

/** Stored sample value to 8 bits, pngjs's rounding. */
function depthScale(bitDepth: number): Uint8Array {
  const max = 2 ** bitDepth - 1;
  const table = new Uint8Array(max + 1);
  for (let v = 0; v <= max; v += 1) table[v] = Math.floor((v * 255) / max + 0.5);
  return table;
}

/** The grey or RGB colour tRNS marks transparent, at the stored depth. */
function transparentColour(frame: PngFrame): number[] | undefined {
  const trns = frame.transparency;
  if (trns === undefined || (frame.colourType !== 0 && frame.colourType !== 2)) return undefined;
  const values = frame.colourType === 0 ? 1 : 3;
  if (trns.length < values * 2)
    throw new CorruptImage('PNG could not be decoded: tRNS is too short for its colour type');
  return Array.from({ length: values }, (_, i) => (trns[i * 2]! << 8) | trns[i * 2 + 1]!);
}
