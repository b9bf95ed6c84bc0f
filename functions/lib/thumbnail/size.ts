export interface Size {
  width: number;
  height: number;
}

function assertPositiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
}

/** Fits the long side within maxSize, keeps the aspect ratio, never upscales, never collapses a side below 1 px. */
export function thumbnailSize(width: number, height: number, maxSize: number): Size {
  assertPositiveInteger('width', width);
  assertPositiveInteger('height', height);
  assertPositiveInteger('maxSize', maxSize);
  if (width <= maxSize && height <= maxSize) return { width, height };
  if (width >= height) {
    return { width: maxSize, height: Math.max(1, Math.round((height * maxSize) / width)) };
  }
  return { width: Math.max(1, Math.round((width * maxSize) / height)), height: maxSize };
}

/** EXIF orientations 5 to 8 store the picture transposed. */
export function isTransposed(orientation: number): boolean {
  return orientation >= 5 && orientation <= 8;
}

export function transpose(size: Size): Size {
  return { width: size.height, height: size.width };
}
