import { brotliDecompressSync } from 'node:zlib';

/**
 * Starts an Emscripten decoder from a .wasm embedded in the bundle (see functions/lib/convert/wasm/). The glue code of
 * each package stays the package's own; only where its .wasm comes from changes: it is compiled once per process and
 * handed to the glue through `instantiateWasm`, so the glue never looks for a file beside itself or fetches a URL.
 */

/** The WebAssembly globals used here; typed locally because the project's lib settings (ES2023) lack them. */
interface WasmMemory {
  buffer: ArrayBuffer;
}
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: abstract new (...args: never[]) => WasmMemory;
}
const { WebAssembly: wasm } = globalThis as unknown as { WebAssembly: WebAssemblyApi };

/** What every Emscripten factory (MODULARIZE) accepts; the rest of its options are left at their defaults. */
export interface EmscriptenOptions {
  noInitialRun?: boolean;
  instantiateWasm(imports: object, receive: (instance: { exports: unknown }) => void): unknown;
  print?: (text: string) => void;
  printErr?: (text: string) => void;
}
export type EmscriptenFactory<M> = (options: EmscriptenOptions) => Promise<M> | M;

export function compileEmbedded(brotliBase64: string): object {
  return new wasm.Module(brotliDecompressSync(Buffer.from(brotliBase64, 'base64')));
}

/**
 * A heap this large is kept for the next picture; a larger one (a picture over ~12 MP: the decoders hold its planes,
 * its RGBA and their own buffers) is dropped after use. WebAssembly memory never shrinks, so an instance otherwise
 * keeps the heap of the largest picture it ever decoded for the life of the container.
 */
export const RETAINED_HEAP_BYTES = 256 * 2 ** 20;

/** Every decoder of the process: only the one in use keeps an instance (see `instance`). */
const decoders = new Set<{ discard(): void }>();

/** The instance's linear memory, exported or imported under whatever name the build minified it to. */
function memoryOf(exports: unknown, imports: object): WasmMemory | undefined {
  const values = [
    ...Object.values(exports as object),
    ...Object.values(imports).flatMap((module: unknown) => Object.values(module as object)),
  ];
  return values.find((value): value is WasmMemory => value instanceof wasm.Memory);
}

/**
 * One running instance per decoder and process. A decoder that traps (out of bounds, abort on a failed allocation)
 * leaves its instance in an unknown state, so `discard` drops it and the next image gets a fresh one; the compiled
 * module is kept. Memory is bounded by one decoder's heap at a time: starting one drops the others' instances, and
 * `settle` drops an instance whose heap grew past RETAINED_HEAP_BYTES, so a warm container never adds the heaps of
 * a large AVIF, WebP and HEIC together.
 */
export class EmbeddedDecoder<M> {
  private compiled: object | undefined;
  private running: Promise<M> | undefined;
  private memory: WasmMemory | undefined;

  constructor(
    private readonly brotliBase64: string,
    private readonly factory: EmscriptenFactory<M>,
  ) {
    decoders.add(this);
  }

  instance(): Promise<M> {
    for (const other of decoders) if (other !== this) other.discard();
    this.compiled ??= compileEmbedded(this.brotliBase64);
    const compiled = this.compiled;
    this.running ??= Promise.resolve(
      this.factory({
        noInitialRun: true,
        instantiateWasm: (imports, receive) => {
          const instance = new wasm.Instance(compiled, imports);
          this.memory = memoryOf(instance.exports, imports);
          receive(instance);
          return instance.exports;
        },
        // The glue prints decoder warnings with console.*; the caller turns failures into typed errors instead.
        print: () => undefined,
        printErr: () => undefined,
      }),
    );
    return this.running;
  }

  /** Bytes of linear memory the running instance holds (0 without one). */
  heapBytes(): number {
    return this.running === undefined ? 0 : (this.memory?.buffer.byteLength ?? 0);
  }

  /** After a picture is done with (its pixels copied out or released): drops the instance if its heap grew large. */
  settle(): void {
    if (this.heapBytes() > RETAINED_HEAP_BYTES) this.discard();
  }

  discard(): void {
    this.running = undefined;
    this.memory = undefined;
  }
}
