import libheif from 'libheif-js/libheif-wasm/libheif.js';
import { CorruptImage } from '../errors';
import type { DecodedImage } from './decoded';
import { WASM_BROTLI_BASE64 } from './wasm/libheif-wasm';
import { EmbeddedDecoder, type EmscriptenFactory } from './wasm-runtime';

/** The part of libheif-js's embind API used here (libheif's heif_emscripten.h). */
interface HeifError {
  code: { value: number };
  message: string;
}
interface HeifChannel {
  id: { value: number };
  stride: number;
  width: number;
  height: number;
  data: Uint8Array;
}
interface LibHeif {
  heif_context_alloc(): object;
  heif_context_free(context: object): void;
  heif_context_read_from_memory(context: object, bytes: Uint8Array): HeifError;
  heif_js_context_get_primary_image_handle(context: object): object | HeifError;
  heif_image_handle_has_alpha_channel(handle: object): number;
  heif_image_handle_release(handle: object): void;
  heif_js_decode_image2(
    handle: object,
    colorspace: unknown,
    chroma: unknown,
  ): { image: object; width: number; height: number; channels: HeifChannel[] } | HeifError;
  heif_image_release(image: object): void;
  heif_colorspace: { heif_colorspace_RGB: unknown };
  heif_chroma: { heif_chroma_interleaved_RGB: unknown; heif_chroma_interleaved_RGBA: unknown };
  heif_channel: { heif_channel_interleaved: { value: number } };
}

const decoder = new EmbeddedDecoder<LibHeif>(WASM_BROTLI_BASE64, libheif as unknown as EmscriptenFactory<LibHeif>);

const isError = (value: unknown): value is HeifError =>
  typeof value === 'object' && value !== null && 'code' in value && 'message' in value;

/**
 * The primary image of a HEIC/HEIF file, as libheif shows it: grid tiles joined, clap/irot/imir applied, 8-bit RGB
 * (RGBA when the image has an alpha plane). libheif has no AV1 decoder in this build: AVIF goes to avif-decoder.
 */
export async function decodeHeif(bytes: Uint8Array): Promise<DecodedImage> {
  const heif = await decoder.instance();
  const context = heif.heif_context_alloc();
  let handle: object | undefined;
  try {
    const read = heif.heif_context_read_from_memory(context, bytes);
    if (read.code.value !== 0) throw new CorruptImage(`HEIF container cannot be read: ${read.message}`);
    const primary = heif.heif_js_context_get_primary_image_handle(context);
    if (isError(primary)) throw new CorruptImage(`HEIF has no usable primary image: ${primary.message}`);
    handle = primary;
    const alpha = heif.heif_image_handle_has_alpha_channel(handle) !== 0;
    const chroma = alpha ? heif.heif_chroma.heif_chroma_interleaved_RGBA : heif.heif_chroma.heif_chroma_interleaved_RGB;
    const image = heif.heif_js_decode_image2(handle, heif.heif_colorspace.heif_colorspace_RGB, chroma);
    if (isError(image)) throw new CorruptImage(`HEIF image cannot be decoded: ${image.message}`);
    const plane = image.channels.find(
      (channel) => channel.id.value === heif.heif_channel.heif_channel_interleaved.value,
    );
    if (!plane) {
      heif.heif_image_release(image.image);
      throw new CorruptImage('HEIF decoder returned no interleaved RGB plane');
    }
    return {
      width: plane.width,
      height: plane.height,
      channels: alpha ? 4 : 3,
      stride: plane.stride,
      data: plane.data,
      transformed: true,
      // The pixels are read in place from the decoder's heap: it is settled once they are released.
      release: () => {
        heif.heif_image_release(image.image);
        decoder.settle();
      },
    };
  } catch (error) {
    const typed = asDecodeError(error, () => decoder.discard());
    decoder.settle();
    throw typed;
  } finally {
    if (handle) heif.heif_image_handle_release(handle);
    heif.heif_context_free(context);
  }
}

/**
 * Typed errors pass through; anything else is the decoder trapping (out of bounds, an abort on a failed allocation):
 * the instance is dropped and the image reported as corrupt.
 */
export function asDecodeError(error: unknown, discard: () => void): Error {
  if (error instanceof CorruptImage) return error;
  discard();
  const message = error instanceof Error ? error.message : String(error);
  return new CorruptImage(`The decoder failed on this image: ${message}`, { cause: error });
}
