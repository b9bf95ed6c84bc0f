import avifFactory from '@jsquash/avif/codec/dec/avif_dec.js';
import webpFactory from '@jsquash/webp/codec/dec/webp_dec.js';
import { CorruptImage } from '../errors';
import type { DecodedImage } from './decoded';
import { asDecodeError } from './heif-decoder';
import { WASM_BROTLI_BASE64 as AVIF_WASM } from './wasm/avif-wasm';
import { WASM_BROTLI_BASE64 as WEBP_WASM } from './wasm/webp-wasm';
import { EmbeddedDecoder, type EmscriptenFactory } from './wasm-runtime';

/** What the Squoosh codecs repackaged by jSquash return: RGBA copied out of the decoder's memory, or null. */
interface RgbaImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}
interface WebpModule {
  decode(bytes: Uint8Array): RgbaImage | null;
}
interface AvifModule {
  decode(bytes: Uint8Array, bitDepth: 8): RgbaImage | null;
}

/**
 * jSquash's glue defines `globalThis.ImageData` in Node when it is missing, from inside its factory: that class keeps the
 * factory's whole scope, the first instance's WebAssembly heap included (890 MB after a 40 MP AVIF), alive for the
 * life of the process, whatever `discard` does. Defined here first, outside any instance, it pins nothing.
 */
const globals = globalThis as { ImageData?: unknown };
globals.ImageData ??= class ImageData {
  constructor(
    readonly data: Uint8ClampedArray,
    readonly width: number,
    readonly height: number,
  ) {}
};

const webp = new EmbeddedDecoder<WebpModule>(WEBP_WASM, webpFactory as unknown as EmscriptenFactory<WebpModule>);
const avif = new EmbeddedDecoder<AvifModule>(AVIF_WASM, avifFactory as unknown as EmscriptenFactory<AvifModule>);

/** A still WebP, lossy or lossless, with its alpha (libwebp's WebPDecodeRGBA); animations are refused before this. */
export async function decodeWebp(bytes: Uint8Array): Promise<DecodedImage> {
  const module = await webp.instance();
  return decodeWith('WebP', () => module.decode(bytes), webp);
}

/** The primary image of an AVIF (libavif with libaom), 8-bit RGBA; clap/irot/imir are left to the caller. */
export async function decodeAvif(bytes: Uint8Array): Promise<DecodedImage> {
  const module = await avif.instance();
  return decodeWith('AVIF', () => module.decode(bytes, 8), avif);
}

function decodeWith(format: string, decode: () => RgbaImage | null, decoder: EmbeddedDecoder<unknown>): DecodedImage {
  let image: RgbaImage | null;
  try {
    image = decode();
  } catch (error) {
    throw asDecodeError(error, () => decoder.discard());
  } finally {
    // The pixels are a copy in JS memory: the decoder's heap is no longer needed.
    decoder.settle();
  }
  if (!image) throw new CorruptImage(`${format} data cannot be decoded`);
  const data = new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.length);
  return {
    width: image.width,
    height: image.height,
    channels: 4,
    stride: image.width * 4,
    data,
    transformed: false,
    release: () => undefined,
  };
}
