import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import {
  EmbeddedDecoder,
  RETAINED_HEAP_BYTES,
  type EmscriptenFactory,
} from '../../../functions/lib/convert/wasm-runtime';

/** LEB128, as WebAssembly encodes sizes and counts. */
function leb128(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  do {
    const low = rest & 0x7f;
    rest >>>= 7;
    bytes.push(rest === 0 ? low : low | 0x80);
  } while (rest !== 0);
  return bytes;
}

const MEMORY_NAME = [...Buffer.from('memory')];
const WASM_HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

/**
 * The smallest module with a linear memory of `pages` 64 KiB pages, exported (as Emscripten builds do, under any name)
 * or imported from env.memory; as the embedded decoders are stored: brotli, base64. Reserving memory costs no RSS.
 */
function wasmWithMemory(pages: number, imported = false): string {
  const limits = [0x00, ...leb128(pages)];
  const section = (id: number, body: number[]) => [id, ...leb128(body.length), ...body];
  const name = [MEMORY_NAME.length, ...MEMORY_NAME];
  const module = imported
    ? [...WASM_HEADER, ...section(2, [1, 3, ...Buffer.from('env'), ...name, 0x02, ...limits])]
    : [...WASM_HEADER, ...section(5, [1, ...limits]), ...section(7, [1, ...name, 0x02, 0x00])];
  return brotliCompressSync(Uint8Array.from(module)).toString('base64');
}

/** What an Emscripten factory does with instantiateWasm, and nothing else; each call is a new module object. */
function fakeFactory(imports: object = {}): EmscriptenFactory<{ id: number }> {
  let made = 0;
  return (options) => {
    options.instantiateWasm(imports, () => undefined);
    made += 1;
    return { id: made };
  };
}

const PAGE = 64 * 1024;
const pagesOver = (bytes: number) => Math.floor(bytes / PAGE) + 1;

describe('EmbeddedDecoder', () => {
  it('keeps an instance whose heap stays within RETAINED_HEAP_BYTES for the next picture', async () => {
    const decoder = new EmbeddedDecoder(wasmWithMemory(16), fakeFactory());
    const first = await decoder.instance();
    expect(decoder.heapBytes()).to.equal(16 * PAGE);
    decoder.settle();
    expect(await decoder.instance()).to.equal(first);
  });

  it('drops an instance whose heap grew past RETAINED_HEAP_BYTES once the picture is done', async () => {
    const decoder = new EmbeddedDecoder(wasmWithMemory(pagesOver(RETAINED_HEAP_BYTES)), fakeFactory());
    const first = await decoder.instance();
    expect(decoder.heapBytes()).to.be.above(RETAINED_HEAP_BYTES);
    decoder.settle();
    expect(decoder.heapBytes()).to.equal(0);
    expect(await decoder.instance()).to.not.equal(first);
  });

  it('finds a memory the module imports as well as one it exports', async () => {
    const { WebAssembly: wasm } = globalThis as unknown as {
      WebAssembly: { Memory: new (limits: { initial: number }) => object };
    };
    const memory = new wasm.Memory({ initial: 3 });
    const decoder = new EmbeddedDecoder(wasmWithMemory(3, true), fakeFactory({ env: { memory } }));
    await decoder.instance();
    expect(decoder.heapBytes()).to.equal(3 * PAGE);
  });

  it('keeps one decoder instance at a time: starting one drops the others', async () => {
    const heic = new EmbeddedDecoder(wasmWithMemory(16), fakeFactory());
    const webp = new EmbeddedDecoder(wasmWithMemory(16), fakeFactory());
    const firstHeic = await heic.instance();
    await webp.instance();
    expect(heic.heapBytes()).to.equal(0);
    expect(await heic.instance()).to.not.equal(firstHeic);
    expect(webp.heapBytes()).to.equal(0);
  });

  describe('a discarded jSquash instance can be collected', function () {
    this.timeout(60_000);
    const run = (...args: string[]) => {
      const child = spawnSync(
        process.execPath,
        ['--expose-gc', '--import', 'tsx', path.join(__dirname, 'fixtures/collectable-decoder.ts'), ...args],
        { encoding: 'utf8' },
      );
      expect(child.status, child.stderr).to.equal(0);
      return JSON.parse(child.stdout.trim().split('\n').pop()!) as { width: number; collected: boolean };
    };

    it('once squoosh-decoders.ts has defined ImageData', () => {
      expect(run()).to.deep.equal({ width: 640, collected: true });
    });

    it('but not when the glue defines ImageData itself (the leak: its class holds the first heap for good)', () => {
      expect(run('glue-first')).to.deep.equal({ width: 640, collected: false });
    });
  });
});
