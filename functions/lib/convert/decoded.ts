/**
 * Pixels as a decoder hands them over: 8-bit samples, rows top to bottom, `stride` bytes apart, 3 (RGB) or 4 (RGBA)
 * samples per pixel. The data may be a view into a decoder's WebAssembly memory: valid until `release` is called.
 */
export interface DecodedImage {
  width: number;
  height: number;
  channels: 3 | 4;
  stride: number;
  data: Uint8Array;
  /** Whether the decoder already applied the container's rotation, mirror and crop (irot, imir, clap). */
  transformed: boolean;
  release(): void;
}
