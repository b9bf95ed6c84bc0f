import { apiErrorOf, type ApiResult } from './errors';
import type { Album, Execution, Photo, PhotoPage, Upload, UploadRequest } from './types';

/** The one typed client of docs/api.md. Every call answers an ApiResult: failures are values, never throws. */
export interface ApiClientOptions {
  apiUrl: string;
  /** The access token of the signed-in user, or undefined when there is none. */
  accessToken(): Promise<string | undefined>;
  /** Told of every 401: the session is over and the user must sign in again. */
  onUnauthorized(): void;
  fetch?: typeof fetch;
}

export interface PhotoQuery {
  albumId?: string;
  limit?: number;
  next?: string;
}

export type ApiClient = ReturnType<typeof createApiClient>;

type Guard<T> = (value: unknown) => value is T;

export function createApiClient(options: ApiClientOptions) {
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  const base = options.apiUrl.replace(/\/+$/, '');

  async function request<T>(method: string, path: string, guard: Guard<T>, body?: unknown): Promise<ApiResult<T>> {
    const token = await options.accessToken();
    if (token === undefined) {
      options.onUnauthorized();
      return { ok: false, error: { kind: 'api', name: 'Unauthorized', status: 401 } };
    }
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    let text: string;
    try {
      response = await fetchImpl(`${base}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      text = await response.text();
    } catch {
      return { ok: false, error: { kind: 'network' } };
    }
    if (!response.ok) {
      if (response.status === 401) options.onUnauthorized();
      return { ok: false, error: apiErrorOf(response.status, text) };
    }
    const value = text === '' ? undefined : parseJson(text);
    return guard(value) ? { ok: true, value } : { ok: false, error: { kind: 'unexpected', status: response.status } };
  }

  return {
    listAlbums: () => request('GET', '/albums', isAlbumList),
    createAlbum: (name: string) => request('POST', '/albums', isAlbum, { name }),
    renameAlbum: (albumId: string, name: string) => request('PATCH', `/albums/${segment(albumId)}`, isAlbum, { name }),
    deleteAlbum: (albumId: string) => request('DELETE', `/albums/${segment(albumId)}`, isNothing),
    listPhotos: (query: PhotoQuery = {}) => request('GET', `/photos${queryString(query)}`, isPhotoPage),
    getPhoto: (imageId: string) => request('GET', `/photos/${segment(imageId)}`, isPhoto),
    getExecution: (imageId: string) => request('GET', `/photos/${segment(imageId)}/execution`, isExecution),
    deletePhoto: (imageId: string) => request('DELETE', `/photos/${segment(imageId)}`, isDeleting),
    createUpload: (upload: UploadRequest) => request('POST', '/uploads', isUpload, upload),
  };
}

function segment(id: string): string {
  return encodeURIComponent(id);
}

function queryString(query: PhotoQuery): string {
  const params = new URLSearchParams();
  if (query.albumId !== undefined) params.set('albumId', query.albumId);
  if (query.limit !== undefined) params.set('limit', String(query.limit));
  if (query.next !== undefined) params.set('next', query.next);
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isNothing(_value: unknown): _value is undefined {
  return true;
}

export function isAlbum(value: unknown): value is Album {
  return (
    isRecord(value) &&
    typeof value.albumId === 'string' &&
    typeof value.name === 'string' &&
    typeof value.photoCount === 'number'
  );
}

function isAlbumList(value: unknown): value is { albums: Album[] } {
  return isRecord(value) && Array.isArray(value.albums) && value.albums.every(isAlbum);
}

export function isPhoto(value: unknown): value is Photo {
  return (
    isRecord(value) &&
    typeof value.imageId === 'string' &&
    typeof value.fileName === 'string' &&
    typeof value.status === 'string'
  );
}

function isPhotoPage(value: unknown): value is PhotoPage {
  return (
    isRecord(value) &&
    Array.isArray(value.photos) &&
    value.photos.every(isPhoto) &&
    (value.next === undefined || typeof value.next === 'string')
  );
}

function isExecution(value: unknown): value is Execution {
  return (
    isRecord(value) &&
    typeof value.executionArn === 'string' &&
    typeof value.status === 'string' &&
    Array.isArray(value.steps) &&
    value.steps.every((step) => isRecord(step) && typeof step.name === 'string' && typeof step.startedAt === 'string')
  );
}

function isDeleting(value: unknown): value is { imageId: string; status: 'DELETING' } {
  return isRecord(value) && typeof value.imageId === 'string';
}

function isUpload(value: unknown): value is Upload {
  return (
    isRecord(value) &&
    typeof value.url === 'string' &&
    isRecord(value.fields) &&
    Object.values(value.fields).every((field) => typeof field === 'string') &&
    typeof value.imageId === 'string' &&
    typeof value.maxBytes === 'number'
  );
}
