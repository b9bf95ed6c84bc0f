/** Metadata blocks cut out of a container, still encoded: what the EXIF/XMP decoder is given, and nothing more. */
export interface EmbeddedMetadata {
  /** A TIFF structure (`II*\0` or `MM\0*`) holding the EXIF IFDs. */
  tiff?: Uint8Array;
  /** An XMP packet, UTF-8 XML. */
  xmp?: Uint8Array;
}

export interface PixelSize {
  width: number;
  height: number;
}

/** EXIF and XMP larger than this are not camera facts; they are skipped rather than parsed. */
export const MAX_METADATA_BLOCK_BYTES = 1024 * 1024;
