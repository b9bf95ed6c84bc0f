import type { ImageFormat, ParsedImageMetadata } from '../image-metadata';
import type { ByteWalker } from './byte-walker';
import { decodeMetadata } from './exif';
import { displayedSize, orientationOf, readHeifLayout, readHeifMetadata } from './heif';
import type { Window } from './window';

/**
 * HEIC, HEIF and AVIF: size as displayed and orientation from the container's own transforms (irot, imir, clap),
 * which every HEIF viewer applies, and camera facts from the Exif and XMP items. EXIF's Orientation tag is left out
 * on purpose: HEIF readers ignore it (iPhones write one that agrees with irot). Never throws: a container that cannot
 * be read gives the format alone.
 */
export function* walkHeif(format: ImageFormat, head: Window, sizeBytes: number): ByteWalker<ParsedImageMetadata> {
  const layout = yield* readHeifLayout(head, sizeBytes);
  if (!layout) return { format };
  const { exif, gps } = decodeMetadata(yield* readHeifMetadata(layout, head));
  const size = displayedSize(layout);
  const orientation = orientationOf(layout.transforms);
  return {
    format,
    ...(size ?? {}),
    ...(orientation === 1 ? {} : { orientation }),
    ...(exif ? { exif } : {}),
    ...(gps ? { gps } : {}),
  };
}
