import type { ByteWalker } from './byte-walker';
import { latin1, u16be, u32be } from '../image-header/bytes';
import { MAX_METADATA_BLOCK_BYTES, type EmbeddedMetadata, type PixelSize } from './embedded';
import { FIRST_WINDOW_BYTES, holds, readWindow, slice, type Window } from './window';

/**
 * The HEIF container (ISO/IEC 23008-12) of HEIC and AVIF files: the `meta` box says which item is the picture (pitm),
 * its size (ispe), how it is turned, mirrored and cropped (irot, imir, clap), and where the Exif and XMP items lie
 * (iloc). Only boxes are read: no picture data.
 */
export interface HeifLayout {
  /** The primary item's size as coded (ispe), before any transform. */
  stored?: PixelSize;
  /** The primary item's transforms in file order (MIAF puts clap first, then irot, then imir). */
  transforms: HeifTransform[];
  exif?: ItemLocation;
  xmp?: ItemLocation;
  /** Item types in the file (hvc1, av01, grid, Exif, ...): which decoder the picture needs. */
  itemTypes: string[];
  /** Bits per sample of an AV1 primary item (its av1C): 8, 10 or 12. */
  av1BitDepth?: number;
  /** An auxiliary alpha picture exists (auxC names alpha): a decoder decodes it as a second picture. */
  alpha?: boolean;
}

export type HeifTransform =
  | { type: 'clap'; width: number; height: number; left: number; top: number }
  /** Anticlockwise quarter turns, 0..3. */
  | { type: 'irot'; quarterTurns: number }
  /** 0: about a vertical axis (left and right swap); 1: about a horizontal axis (top and bottom swap). */
  | { type: 'imir'; axis: number };

/** Where an item's bytes lie in the file: one extent is all an Exif or XMP item has in practice. */
export interface ItemLocation {
  offset: number;
  length: number;
}

/** A meta box larger than this is no photo's: iPhone files carry a few KB (one iloc entry per 512x512 tile). */
export const MAX_META_BYTES = 4 * 1024 * 1024;
/** Boxes per container: real files have a dozen; this stops a crafted run of empty boxes. */
const MAX_BOXES = 10_000;

interface Box {
  type: string;
  /** Offset of the payload in `bytes`, and its length (the header excluded). */
  start: number;
  length: number;
}

/** Child boxes of bytes[start, end); a box that overruns its parent ends the list. */
function boxes(bytes: Uint8Array, start: number, end: number): Box[] {
  const found: Box[] = [];
  let at = start;
  while (at + 8 <= end && found.length < MAX_BOXES) {
    let size = u32be(bytes, at);
    let header = 8;
    if (size === 1) {
      if (at + 16 > end) break;
      size = u32be(bytes, at + 8) * 2 ** 32 + u32be(bytes, at + 12);
      header = 16;
    } else if (size === 0) {
      size = end - at; // to the end of the container
    }
    if (size < header || at + size > end) break;
    found.push({ type: latin1(bytes, at + 4, 4), start: at + header, length: size - header });
    at += size;
  }
  return found;
}

const child = (bytes: Uint8Array, parent: Box, type: string, fullBox = false): Box | undefined =>
  boxes(bytes, parent.start + (fullBox ? 4 : 0), parent.start + parent.length).find((box) => box.type === type);

/**
 * Finds the top-level `meta` box (after ftyp, before mdat in every writer we know) and parses it. Reads beyond the
 * first window only when meta does not fit in it, once, up to MAX_META_BYTES.
 */
export function* readHeifLayout(head: Window, sizeBytes: number): ByteWalker<HeifLayout | undefined> {
  let window = head;
  let at = 0;
  for (let count = 0; count < 64 && at + 8 <= sizeBytes; count += 1) {
    // A box header the window lacks (past a leading mdat) is read with what follows, where meta usually is.
    if (!holds(window, at, 16)) window = yield* readWindow(at, FIRST_WINDOW_BYTES);
    const header = slice(window, at, 16);
    if (header.length < 8) return undefined;
    let size = u32be(header, 0);
    if (size === 1 && header.length >= 16) size = u32be(header, 8) * 2 ** 32 + u32be(header, 12);
    if (size === 0) size = sizeBytes - at;
    if (size < 8) return undefined;
    if (latin1(header, 4, 4) === 'meta') {
      if (size > MAX_META_BYTES) return undefined;
      if (!holds(window, at, size)) window = yield* readWindow(at, size);
      const bytes = slice(window, at, size);
      return bytes.length < size ? undefined : parseMeta(bytes, { type: 'meta', start: 8, length: size - 8 });
    }
    at += size;
  }
  return undefined;
}

/**
 * Exif item payload: a 4-byte offset to the TIFF header, then (usually "Exif\0\0" and) the TIFF structure. Writers put
 * both items together, often after the picture data: one read covers both when they lie within 64 KiB of each other.
 */
export function* readHeifMetadata(layout: HeifLayout, head: Window): ByteWalker<EmbeddedMetadata> {
  const wanted = [layout.exif, layout.xmp].filter(
    (item): item is ItemLocation => item !== undefined && item.length <= MAX_METADATA_BLOCK_BYTES,
  );
  const missing = wanted.filter((item) => !holds(head, item.offset, item.length));
  let window = head;
  if (missing.length > 0) {
    const start = Math.min(...missing.map((item) => item.offset));
    const end = Math.max(...missing.map((item) => item.offset + item.length));
    if (end - start <= FIRST_WINDOW_BYTES + MAX_METADATA_BLOCK_BYTES) window = yield* readWindow(start, end - start);
  }
  const bytesOf = function* (item: ItemLocation | undefined): ByteWalker<Uint8Array | undefined> {
    if (!item || item.length > MAX_METADATA_BLOCK_BYTES) return undefined;
    const held = [window, head].find((candidate) => holds(candidate, item.offset, item.length));
    if (held) return slice(held, item.offset, item.length);
    const read = yield* readWindow(item.offset, item.length);
    return read.bytes.length === item.length ? read.bytes : undefined;
  };
  const found: EmbeddedMetadata = {};
  const exif = yield* bytesOf(layout.exif);
  if (exif && exif.length >= 4) {
    const tiffStart = 4 + u32be(exif, 0);
    if (tiffStart < exif.length) found.tiff = exif.subarray(tiffStart);
  }
  const xmp = yield* bytesOf(layout.xmp);
  if (xmp) found.xmp = xmp;
  return found;
}

/** Size as displayed: clap crops, a quarter turn swaps the sides, a mirror changes nothing. */
export function displayedSize(layout: HeifLayout): PixelSize | undefined {
  if (!layout.stored) return undefined;
  let { width, height } = layout.stored;
  for (const transform of layout.transforms) {
    if (transform.type === 'clap') ({ width, height } = transform);
    else if (transform.type === 'irot' && transform.quarterTurns % 2 === 1) [width, height] = [height, width];
  }
  return width > 0 && height > 0 ? { width, height } : undefined;
}

/**
 * The EXIF orientation (1..8) that shows the stored pixels as the transforms do, ignoring the crop: what a viewer
 * must apply to the coded picture. 1 when there is no turn or mirror.
 */
export function orientationOf(transforms: HeifTransform[]): number {
  // Track where the stored picture's top-left corner and its x axis end up, as a 2x2 matrix of -1/0/1.
  let [a, b, c, d] = [1, 0, 0, 1]; // displayed = M * stored, with x to the right and y down
  for (const transform of transforms) {
    if (transform.type === 'irot') {
      for (let turn = 0; turn < transform.quarterTurns; turn += 1) [a, b, c, d] = [c, d, -a, -b]; // anticlockwise
    } else if (transform.type === 'imir') {
      if (transform.axis === 0) [a, b] = [-a, -b];
      else [c, d] = [-c, -d];
    }
  }
  return EXIF_ORIENTATION[`${a},${b},${c},${d}`] ?? 1;
}

/** EXIF orientations as the matrix that maps stored coordinates to displayed ones. */
const EXIF_ORIENTATION: Record<string, number> = {
  '1,0,0,1': 1,
  '-1,0,0,1': 2,
  '-1,0,0,-1': 3,
  '1,0,0,-1': 4,
  '0,1,1,0': 5,
  '0,-1,1,0': 6,
  '0,-1,-1,0': 7,
  '0,1,-1,0': 8,
};

interface ItemInfo {
  id: number;
  type: string;
  contentType?: string;
}

function parseMeta(bytes: Uint8Array, meta: Box): HeifLayout | undefined {
  try {
    const children = boxes(bytes, meta.start + 4, meta.start + meta.length);
    const find = (type: string) => children.find((box) => box.type === type);
    const pitm = find('pitm');
    const primary = pitm ? (bytes[pitm.start] === 0 ? u16be(bytes, pitm.start + 4) : u32be(bytes, pitm.start + 4)) : 1;
    const items = find('iinf') ? itemInfos(bytes, find('iinf')!) : [];
    const locations = find('iloc') ? itemLocations(bytes, find('iloc')!) : new Map<number, ItemLocation>();
    const iprp = find('iprp');
    const propertiesOf = iprp ? propertiesByItem(bytes, iprp) : new Map<number, Box[]>();
    const properties = propertiesOf.get(primary) ?? [];
    const layout: HeifLayout = { transforms: [], itemTypes: [...new Set(items.map((item) => item.type))] };
    for (const property of properties) {
      if (property.type === 'ispe' && property.length >= 12) {
        layout.stored ??= { width: u32be(bytes, property.start + 4), height: u32be(bytes, property.start + 8) };
      } else if (property.type === 'irot' && property.length >= 1) {
        layout.transforms.push({ type: 'irot', quarterTurns: bytes[property.start]! & 3 });
      } else if (property.type === 'imir' && property.length >= 1) {
        layout.transforms.push({ type: 'imir', axis: bytes[property.start]! & 1 });
      } else if (property.type === 'clap' && property.length >= 32) {
        const clap = cleanAperture(bytes, property.start, layout.stored);
        if (clap) layout.transforms.push(clap);
      } else if (property.type === 'av1C' && property.length >= 4) {
        // Third byte: seq_tier_0, high_bitdepth, twelve_bit, then the chroma layout.
        const flags = bytes[property.start + 2]!;
        layout.av1BitDepth = flags & 0x40 ? (flags & 0x20 ? 12 : 10) : 8;
      }
    }
    if (hasAlphaItem(bytes, propertiesOf, primary)) layout.alpha = true;
    const exifItem = items.find((item) => item.type === 'Exif');
    const xmpItem = items.find((item) => item.type === 'mime' && item.contentType === 'application/rdf+xml');
    const exif = exifItem && locations.get(exifItem.id);
    const xmp = xmpItem && locations.get(xmpItem.id);
    return { ...layout, ...(exif ? { exif } : {}), ...(xmp ? { xmp } : {}) };
  } catch {
    return undefined; // a field past the end of its box: the layout is unusable
  }
}

function itemInfos(bytes: Uint8Array, iinf: Box): ItemInfo[] {
  const entryStart = iinf.start + 4 + (bytes[iinf.start] === 0 ? 2 : 4);
  const infos: ItemInfo[] = [];
  for (const infe of boxes(bytes, entryStart, iinf.start + iinf.length)) {
    if (infe.type !== 'infe') continue;
    const version = bytes[infe.start]!;
    if (version < 2) continue; // versions 0 and 1 carry no item type: no Exif or XMP item is described that way
    let at = infe.start + 4;
    const id = version === 2 ? u16be(bytes, at) : u32be(bytes, at);
    at += (version === 2 ? 2 : 4) + 2; // item_ID, item_protection_index
    const type = latin1(bytes, at, 4);
    at += 4;
    const end = infe.start + infe.length;
    const name = cString(bytes, at, end);
    at = name.next;
    infos.push({ id, type, ...(type === 'mime' ? { contentType: cString(bytes, at, end).text } : {}) });
  }
  return infos;
}

function cString(bytes: Uint8Array, at: number, end: number): { text: string; next: number } {
  let stop = at;
  while (stop < end && bytes[stop] !== 0) stop += 1;
  return { text: latin1(bytes, at, stop - at), next: stop + 1 };
}

/** Item locations by id; only items stored in the file itself with one extent (what Exif and XMP items use). */
function itemLocations(bytes: Uint8Array, iloc: Box): Map<number, ItemLocation> {
  const version = bytes[iloc.start]!;
  let at = iloc.start + 4;
  const sizes = u16be(bytes, at);
  at += 2;
  const offsetSize = sizes >> 12;
  const lengthSize = (sizes >> 8) & 15;
  const baseOffsetSize = (sizes >> 4) & 15;
  const indexSize = version >= 1 ? sizes & 15 : 0;
  const count = version < 2 ? u16be(bytes, at) : u32be(bytes, at);
  at += version < 2 ? 2 : 4;
  const read = (size: number): number => {
    const value =
      size === 0
        ? 0
        : size === 4
          ? u32be(bytes, at)
          : size === 8
            ? u32be(bytes, at) * 2 ** 32 + u32be(bytes, at + 4)
            : NaN;
    if (Number.isNaN(value)) throw new RangeError(`iloc field size ${size}`);
    at += size;
    return value;
  };
  const locations = new Map<number, ItemLocation>();
  const end = iloc.start + iloc.length;
  for (let i = 0; i < count && at < end; i += 1) {
    const id = version < 2 ? u16be(bytes, at) : u32be(bytes, at);
    at += version < 2 ? 2 : 4;
    const constructionMethod = version >= 1 ? u16be(bytes, at) & 15 : 0;
    at += version >= 1 ? 2 : 0;
    at += 2; // data_reference_index
    const baseOffset = read(baseOffsetSize);
    const extentCount = u16be(bytes, at);
    at += 2;
    const extents: ItemLocation[] = [];
    for (let e = 0; e < extentCount; e += 1) {
      read(indexSize);
      const offset = read(offsetSize);
      extents.push({ offset: baseOffset + offset, length: read(lengthSize) });
    }
    if (at > end) throw new RangeError('iloc overruns its box');
    if (constructionMethod === 0 && extents.length === 1) locations.set(id, extents[0]!);
  }
  return locations;
}

/** The alpha URNs of MIAF/AVIF and of HEVC auxiliary pictures. */
const ALPHA_URNS = ['urn:mpeg:mpegB:cicp:systems:auxiliary:alpha', 'urn:mpeg:hevc:2015:auxid:1'];

/** Whether an item other than the primary is an auxiliary alpha picture (its auxC property names alpha). */
function hasAlphaItem(bytes: Uint8Array, propertiesOf: Map<number, Box[]>, primary: number): boolean {
  for (const [id, properties] of propertiesOf) {
    if (id === primary) continue;
    for (const property of properties) {
      // auxC is a full box: version and flags, then the auxiliary type as a NUL-terminated URN.
      if (property.type !== 'auxC' || property.length < 5) continue;
      const urn = cString(bytes, property.start + 4, property.start + property.length).text;
      if (ALPHA_URNS.includes(urn)) return true;
    }
  }
  return false;
}

/** Every item's associated properties, in association order (ipma), from the property container (ipco). */
function propertiesByItem(bytes: Uint8Array, iprp: Box): Map<number, Box[]> {
  const byItem = new Map<number, Box[]>();
  const ipco = child(bytes, iprp, 'ipco');
  if (!ipco) return byItem;
  const all = boxes(bytes, ipco.start, ipco.start + ipco.length);
  for (const ipma of boxes(bytes, iprp.start, iprp.start + iprp.length).filter((box) => box.type === 'ipma')) {
    const version = bytes[ipma.start]!;
    const wideIndex = (bytes[ipma.start + 3]! & 1) === 1;
    let at = ipma.start + 4;
    const entries = u32be(bytes, at);
    at += 4;
    const end = ipma.start + ipma.length;
    for (let i = 0; i < entries && at < end; i += 1) {
      const id = version < 1 ? u16be(bytes, at) : u32be(bytes, at);
      at += version < 1 ? 2 : 4;
      const associations = bytes[at]!;
      at += 1;
      for (let k = 0; k < associations; k += 1) {
        const index = wideIndex ? u16be(bytes, at) & 0x7fff : bytes[at]! & 0x7f;
        at += wideIndex ? 2 : 1;
        const property = index > 0 ? all[index - 1] : undefined;
        if (!property) continue;
        const found = byItem.get(id);
        if (found) found.push(property);
        else byItem.set(id, [property]);
      }
    }
  }
  return byItem;
}

/** The clean aperture as a pixel rectangle of the stored picture, centred as the box says; undefined if nonsense. */
function cleanAperture(bytes: Uint8Array, at: number, stored: PixelSize | undefined): HeifTransform | undefined {
  const fraction = (offset: number, signed: boolean): number => {
    const view = new DataView(bytes.buffer, bytes.byteOffset + at + offset, 8);
    const numerator = signed ? view.getInt32(0) : view.getUint32(0);
    const denominator = signed ? view.getInt32(4) : view.getUint32(4);
    return denominator === 0 ? NaN : numerator / denominator;
  };
  const width = Math.round(fraction(0, false));
  const height = Math.round(fraction(8, false));
  if (!stored || !(width > 0 && height > 0) || width > stored.width || height > stored.height) return undefined;
  // Offsets move the aperture's centre from the picture's centre.
  const left = Math.round(fraction(16, true) + (stored.width - 1) / 2 - (width - 1) / 2);
  const top = Math.round(fraction(24, true) + (stored.height - 1) / 2 - (height - 1) / 2);
  if (!(left >= 0 && top >= 0 && left + width <= stored.width && top + height <= stored.height)) return undefined;
  return { type: 'clap', width, height, left, top };
}
