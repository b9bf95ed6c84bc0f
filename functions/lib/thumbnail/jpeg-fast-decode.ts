import { gunzipSync } from 'node:zlib';
import { CorruptImage } from '../errors';
import type { Bitmap } from './bitmap';
import { JPEG_TURBO_WASM_GZIP_BASE64 } from './jpeg-turbo-wasm';
import type { Size } from './size';

/**
 * libjpeg-turbo (WASM) can decode a JPEG at M/8 of its size by running a smaller inverse DCT, which skips most of the
 * work of a full decode; jimp (jpeg-js) always decodes every pixel. @cwasm/jpeg-turbo's own decode() never asks
 * for a smaller size, so we drive its TurboJPEG exports directly.
 */

/** Thrown when libjpeg stops with a fatal error (unsupported colour space, unsupported process, bad tables, ...). */
export class FastDecodeUnavailable extends Error {
  override readonly name = 'FastDecodeUnavailable';
}

/** The few WebAssembly globals we use; typed here because the project's lib settings (ES2023, @types/node 20) lack them. */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  RuntimeError: new () => Error;
}
const { WebAssembly: wasm } = globalThis as unknown as { WebAssembly: WebAssemblyApi };

interface TurboJpegExports {
  memory: { buffer: ArrayBuffer };
  malloc(size: number): number;
  free(pointer: number): void;
  tjInitDecompress(): number;
  tjDestroy(handle: number): number;
  tjDecompressHeader3(
    handle: number,
    jpeg: number,
    jpegSize: number,
    width: number,
    height: number,
    subsampling: number,
    colorspace: number,
  ): number;
  tjDecompress2(
    handle: number,
    jpeg: number,
    jpegSize: number,
    out: number,
    width: number,
    pitch: number,
    height: number,
    pixelFormat: number,
    flags: number,
  ): number;
}

/** TurboJPEG pixel formats: what libjpeg-turbo turns the JPEG's colour space into. */
const PIXEL_FORMATS = { RGBA: 7, CMYK: 11 } as const;

/** Heap kept between invocations: a 12 MP baseline file needs ~3 MB of it, a 12 MP progressive one ~40 MB. */
const RETAINED_WASM_MEMORY = 64 * 2 ** 20;

/** Raised by our longjmp: the build has no real setjmp, so a libjpeg fatal error unwinds to JS as this. */
class LibjpegFatalError extends Error {}

const unavailableSyscall = (name: string) => () => {
  throw new LibjpegFatalError(`${name} is not available to the JPEG decoder`);
};

let compiled: object | undefined;
let instance: TurboJpegExports | undefined;

/** Compiled once per process; instantiated lazily and replaced after a fatal error, whose unwinding leaks libjpeg's memory. */
function turboJpeg(): TurboJpegExports {
  if (instance !== undefined) return instance;
  compiled ??= new wasm.Module(gunzipSync(Buffer.from(JPEG_TURBO_WASM_GZIP_BASE64, 'base64')));
  const imports = {
    env: {
      setjmp: () => 0,
      longjmp: () => {
        throw new LibjpegFatalError('libjpeg-turbo stopped with a fatal error');
      },
    },
    wasi_snapshot_preview1: {
      environ_sizes_get: () => 0,
      environ_get: unavailableSyscall('environ_get'),
      proc_exit: unavailableSyscall('proc_exit'),
      fd_close: unavailableSyscall('fd_close'),
      fd_seek: unavailableSyscall('fd_seek'),
      fd_write: unavailableSyscall('fd_write'),
    },
  };
  instance = new wasm.Instance(compiled, imports).exports as unknown as TurboJpegExports;
  return instance;
}

/** The smallest M/8 scale whose output still covers `atLeast`, so the resize after it only ever shrinks. */
export function dctScaledSize(stored: Size, atLeast: Size): Size {
  for (let eighths = 1; eighths < 8; eighths += 1) {
    const scaled = { width: Math.ceil((stored.width * eighths) / 8), height: Math.ceil((stored.height * eighths) / 8) };
    if (scaled.width >= atLeast.width && scaled.height >= atLeast.height) return scaled;
  }
  return stored;
}

/**
 * Decodes at the smallest DCT scale that still covers `atLeast` (stored orientation). Throws CorruptImage when
 * libjpeg warns (truncated or damaged entropy data: it would paint grey), FastDecodeUnavailable when it gives up.
 * `ink` is for 4-component (CMYK or YCCK) files, which this build only outputs as CMYK: their ink is turned into RGB
 * here, so they decode at a reduced scale too instead of in full.
 */
export function decodeJpegScaled(bytes: Uint8Array, atLeast: Size, ink = false): Bitmap {
  const tj = turboJpeg();
  const pointers: number[] = [];
  const alloc = (size: number): number => {
    const pointer = tj.malloc(size);
    if (pointer === 0) throw new FastDecodeUnavailable(`the decoder could not allocate ${size} bytes`);
    pointers.push(pointer);
    return pointer;
  };
  let handle = 0;
  try {
    const input = alloc(bytes.length);
    new Uint8Array(tj.memory.buffer, input, bytes.length).set(bytes);
    handle = tj.tjInitDecompress();
    if (handle === 0) throw new FastDecodeUnavailable('the decoder could not be initialised');
    const header = alloc(16);
    if (tj.tjDecompressHeader3(handle, input, bytes.length, header, header + 4, header + 8, header + 12) !== 0) {
      throw new FastDecodeUnavailable('libjpeg could not read the JPEG header');
    }
    const [width = 0, height = 0] = new Int32Array(tj.memory.buffer, header, 2);
    const size = dctScaledSize({ width, height }, atLeast);
    const pixels = alloc(size.width * size.height * 4);
    const status = tj.tjDecompress2(
      handle,
      input,
      bytes.length,
      pixels,
      size.width,
      size.width * 4,
      size.height,
      ink ? PIXEL_FORMATS.CMYK : PIXEL_FORMATS.RGBA,
      0,
    );
    if (status !== 0) {
      // Without a longjmp, -1 means libjpeg only warned: the data ran out or is damaged, and the picture is incomplete.
      throw new CorruptImage('JPEG data is corrupt or truncated (libjpeg-turbo reported damaged image data)');
    }
    const data = Buffer.alloc(size.width * size.height * 4);
    data.set(new Uint8Array(tj.memory.buffer, pixels, data.length));
    if (ink) inkToRgba(data);
    return { width: size.width, height: size.height, data };
  } catch (error) {
    if (error instanceof LibjpegFatalError || error instanceof wasm.RuntimeError) {
      instance = undefined;
      throw new FastDecodeUnavailable(error.message, { cause: error });
    }
    throw error;
  } finally {
    if (instance === tj) {
      if (handle !== 0) tj.tjDestroy(handle);
      for (const pointer of pointers) tj.free(pointer);
      // WASM memory never shrinks: after a large progressive file (its coefficients are held whole) let it go.
      if (tj.memory.buffer.byteLength > RETAINED_WASM_MEMORY) instance = undefined;
    }
  }
}

/**
 * CMYK as libjpeg outputs it (the Adobe convention every CMYK JPEG writer follows: 255 is no ink; YCCK already turned
 * into it) to opaque RGBA, in place: each channel is what its ink and the black leave of the light, the naive
 * conversion jpeg-js made before (R = C x K / 255, no colour profile), rounded rather than truncated.
 */
export function inkToRgba(pixels: Uint8Array): void {
  for (let i = 0; i < pixels.length; i += 4) {
    const k = pixels[i + 3]!;
    pixels[i] = (pixels[i]! * k + 127) / 255;
    pixels[i + 1] = (pixels[i + 1]! * k + 127) / 255;
    pixels[i + 2] = (pixels[i + 2]! * k + 127) / 255;
    pixels[i + 3] = 255;
  }
}
