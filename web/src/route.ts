/**
 * The pages, addressed by the URL's fragment (#/albums/{id}), so that one index.html serves every page from S3 and
 * from the local stack without server-side routes, and the sign-in callback (?code=&state=) never meets a route.
 */
export type Route =
  | { page: 'albums' }
  | { page: 'photos'; albumId?: string }
  | { page: 'photo'; imageId: string }
  | { page: 'not-found'; hash: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  if (path === '' || path === '/' || path === '/albums') return { page: 'albums' };
  if (path === '/photos') return { page: 'photos' };
  const match = /^\/(albums|photos)\/([^/]+)$/.exec(path);
  const id = match?.[2] === undefined ? undefined : decodeSegment(match[2]);
  if (match && id !== undefined && id !== '')
    return match[1] === 'albums' ? { page: 'photos', albumId: id } : { page: 'photo', imageId: id };
  return { page: 'not-found', hash };
}

export function hrefOf(route: Route): string {
  switch (route.page) {
    case 'albums':
      return '#/albums';
    case 'photos':
      return route.albumId === undefined ? '#/photos' : `#/albums/${encodeURIComponent(route.albumId)}`;
    case 'photo':
      return `#/photos/${encodeURIComponent(route.imageId)}`;
    case 'not-found':
      return route.hash;
  }
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
