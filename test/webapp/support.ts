import { expect } from 'chai';

/** Helpers shared by the web app tests: the JSON API as the page calls it. */
export interface ApiPhoto {
  imageId: string;
  key: string;
  fileName: string;
  albumId?: string;
  status: string;
  format?: string;
  width?: number;
  height?: number;
  labels?: { name: string; confidence: number }[];
  faces?: { count: number };
  thumbnail?: { key: string; width: number; height: number; format: string };
  thumbnailUrl?: string;
  error?: { name: string; message: string };
}

export async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as T };
}

export async function postJson<T>(
  url: string,
  body: unknown,
): Promise<{ status: number; body: T; contentType: string | null }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: (await response.json()) as T,
  };
}

/** Uploads bytes the way the page does: ask the API for a presigned PUT, then PUT to it. */
export async function uploadThroughApi(
  appUrl: string,
  fields: { user: string; album?: string; fileName: string; contentType: string },
  bytes: Uint8Array,
): Promise<string> {
  const target = await postJson<{ url: string; key: string; headers: Record<string, string> }>(
    `${appUrl}api/uploads`,
    fields,
  );
  expect(target.status, JSON.stringify(target.body)).to.equal(200);
  const put = await fetch(target.body.url, { method: 'PUT', headers: target.body.headers, body: bytes });
  expect(put.status, await put.clone().text()).to.equal(200);
  return target.body.key;
}

/** Polls the photos API until every listed key has a terminal status. */
export async function waitForTerminal(url: string, keys: string[], timeoutMs = 40000): Promise<ApiPhoto[]> {
  const deadline = Date.now() + timeoutMs;
  let last: ApiPhoto[] = [];
  while (Date.now() < deadline) {
    const { body } = await getJson<{ photos: ApiPhoto[] }>(url);
    last = body.photos;
    const wanted = keys.map((key) => last.find((photo) => photo.key === key));
    if (wanted.every((photo) => photo && photo.status !== 'PROCESSING')) return wanted as ApiPhoto[];
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`not terminal after ${timeoutMs} ms: ${JSON.stringify(last.map((p) => [p.key, p.status]))}`);
}
