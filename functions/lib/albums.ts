import { randomBytes } from 'node:crypto';
import { AlbumNotEmpty } from './api-errors';
import { MAX_ALBUM_NAME_LENGTH } from './api-input';
import { GET_URL_EXPIRES_IN_SECONDS, isUserKey, type Presigner } from './photos';

/**
 * Albums (the AlbumMetadata table): one item per (userId, albumId). The album id is the folder of its photos' keys
 * (`private/{userId}/uploads/{albumId}/...`); the name is for people and can change. `photoCount` is kept by the
 * writes that add or remove a photo (S3Trigger, DeleteCascade), atomically with the photo's item.
 */
export interface AlbumRecord {
  userId: string;
  albumId: string;
  name: string;
  createdAt: string;
  photoCount: number;
  cover?: AlbumCover;
}

/**
 * The newest processed photo of the album, by upload time: CompleteProcessing offers each finished photo, the
 * cascade replaces it when that photo is deleted.
 */
export interface AlbumCover {
  imageId: string;
  thumbnailKey: string;
  uploadedAt: string;
}

/** What the API answers for an album (docs/api.md). */
export interface AlbumView {
  albumId: string;
  name: string;
  createdAt: string;
  photoCount: number;
  coverUrl?: string;
}

export type DeleteAlbumOutcome =
  { outcome: 'deleted' } | { outcome: 'missing' } | { outcome: 'not-empty'; photoCount: number };

export interface AlbumStore {
  list(userId: string): Promise<AlbumRecord[]>;
  get(userId: string, albumId: string): Promise<AlbumRecord | undefined>;
  /** Creates the album; false when the id is taken. */
  create(album: AlbumRecord): Promise<boolean>;
  /** The renamed album, or undefined when it does not exist. */
  rename(userId: string, albumId: string, name: string): Promise<AlbumRecord | undefined>;
  /** Deletes the album only while it holds no photo. */
  deleteIfEmpty(userId: string, albumId: string): Promise<DeleteAlbumOutcome>;
  /** Makes `cover` the album's cover unless the album is gone or shows a newer photo already. */
  offerCover(userId: string, albumId: string, cover: AlbumCover): Promise<void>;
  /** When the cover shows `removedImageId`: shows `next` instead, or no cover. */
  replaceCover(userId: string, albumId: string, removedImageId: string, next: AlbumCover | undefined): Promise<void>;
}

/** 16 URL-safe characters (96 random bits): safe in a key, a path and a query without encoding. */
export function newAlbumId(): string {
  return randomBytes(12).toString('base64url');
}

export function newAlbum(userId: string, name: string, now: Date): AlbumRecord {
  return { userId, albumId: newAlbumId(), name, createdAt: now.toISOString(), photoCount: 0 };
}

/** An album made by an upload into a folder with no album: named after the folder, within the name rules. */
export function albumNameForFolder(folder: string): string {
  const name = [...folder.replace(/\p{Cc}+/gu, ' ').trim()].slice(0, MAX_ALBUM_NAME_LENGTH).join('').trim();
  return name.length > 0 ? name : 'Album';
}

/** Albums newest first; equal times by id, so the order is stable. */
export function newestFirst(albums: AlbumRecord[]): AlbumRecord[] {
  return [...albums].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.albumId.localeCompare(b.albumId));
}

export function albumView(album: AlbumRecord, coverUrl?: string): AlbumView {
  return {
    albumId: album.albumId,
    name: album.name,
    createdAt: album.createdAt,
    photoCount: Math.max(0, album.photoCount),
    ...(coverUrl ? { coverUrl } : {}),
  };
}

/** The view with `coverUrl` (a presigned GET of the cover's thumbnail, in the owner's resized/ folder). */
export async function albumViewWithCover(album: AlbumRecord, urls: Presigner, bucket: string): Promise<AlbumView> {
  const key = album.cover?.thumbnailKey;
  const coverUrl =
    key && isUserKey(album.userId, 'resized', key)
      ? await urls.getUrl(bucket, key, GET_URL_EXPIRES_IN_SECONDS)
      : undefined;
  return albumView(album, coverUrl);
}

/** A cover; upload times are normalised so that they compare as strings. */
export function coverOf(imageId: string, thumbnailKey: string, uploadedAt: string): AlbumCover {
  return { imageId, thumbnailKey, uploadedAt: new Date(uploadedAt).toISOString() };
}

/** Refuses to delete an album that still holds photos: an album is never emptied by surprise. */
export function requireEmpty(outcome: DeleteAlbumOutcome): 'deleted' | 'missing' {
  if (outcome.outcome === 'not-empty') throw new AlbumNotEmpty(outcome.photoCount);
  return outcome.outcome;
}
