import { brotliDecompressSync } from 'node:zlib';

/**
 * Starts an Emscripten decoder from a .wasm embedded in the bundle (see functions/lib/convert/wasm/). The glue code of
 * each package stays the package's own; only where its .wasm comes from changes: it is compiled once per process and
 * handed to the glue through `instantiateWasm`, so the glue never looks for a file beside itself or fetches a URL.
 */

/** The WebAssembly globals used here; typed locally because the project's lib settings (ES2023) lack them. */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
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
 * One running instance per decoder and process. A decoder that traps (out of bounds, abort on a failed allocation)
 * leaves its instance in an unknown state, so `discard` drops it and the next image gets a fresh one; the compiled
 * module is kept.
 */
export class EmbeddedDecoder<M> {
  private compiled: object | undefined;
  private running: Promise<M> | undefined;

  constructor(
    private readonly brotliBase64: string,
    private readonly factory: EmscriptenFactory<M>,
  ) {}

  instance(): Promise<M> {
    this.compiled ??= compileEmbedded(this.brotliBase64);
    const compiled = this.compiled;
    this.running ??= Promise.resolve(
      this.factory({
        noInitialRun: true,
        instantiateWasm(imports, receive) {
          const instance = new wasm.Instance(compiled, imports);
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

  discard(): void {
    this.running = undefined;
  }
}
