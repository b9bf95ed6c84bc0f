import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildWebApp, CACHE_REVALIDATE, type WebFile } from '../../web/build/build-app';
import { securityHeaders } from '../../web/build/security-headers';
import { messageOf, type StackLog } from '../log';
import type { StackModel } from '../stack-model';
import { localAppOrigins, localWebConfig } from './local-config';

/**
 * The web app (web/) at /_app/: built by esbuild on the first request, served from memory with its config.json and
 * the security headers CloudFront adds on AWS. `/_app` can never be an S3 path-style request (bucket names cannot
 * contain `_`), so it shares the one endpoint with the AWS services.
 */
export const WEB_APP_PREFIX = '/_app';

export interface WebAppOptions {
  /** The stack's model: its outputs make config.json, its endpoint names the port. */
  model: StackModel;
  log: StackLog;
  /** The build (tests pass a failing one); default: buildWebApp. */
  build?: () => Promise<WebFile[]>;
}

export interface WebApp {
  handle(req: IncomingMessage, res: ServerResponse): void;
}

export function createWebApp(options: WebAppOptions): WebApp {
  const port = Number(new URL(options.model.identity.endpoint).port);
  const config = localWebConfig(options.model, port);
  const headers = securityHeaders(localAppOrigins(config, options.model, port));
  const canonical = new URL(config.auth.redirectUri);
  const configFile: WebFile = {
    path: 'config.json',
    contents: Buffer.from(`${JSON.stringify(config, null, 2)}\n`),
    contentType: 'application/json',
    cacheControl: CACHE_REVALIDATE,
  };
  let files: Promise<Map<string, WebFile>> | undefined;

  function built(): Promise<Map<string, WebFile>> {
    files ??= (options.build ?? buildWebApp)().then((list) => new Map(list.map((file) => [file.path, file])));
    // A failed build is reported on this request and tried again on the next (after the source is fixed).
    files.catch(() => (files = undefined));
    return files;
  }

  function send(req: IncomingMessage, res: ServerResponse, status: number, file: Omit<WebFile, 'path'>, extra = {}) {
    res.writeHead(status, {
      ...headers,
      ...extra,
      'content-type': file.contentType,
      'content-length': file.contents.length,
      'cache-control': file.cacheControl,
    });
    res.end(req.method === 'HEAD' ? undefined : file.contents);
  }

  function text(req: IncomingMessage, res: ServerResponse, status: number, message: string, extra = {}) {
    const contents = Buffer.from(`${message}\n`);
    send(req, res, status, { contents, contentType: 'text/plain; charset=utf-8', cacheControl: 'no-store' }, extra);
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', canonical);
    const host = req.headers.host ?? canonical.host;
    // Sign-in state lives in the origin's session storage: stay on the origin the callback URL names.
    if (host !== canonical.host && host.replace(/^127\.0\.0\.1:/, 'localhost:') === canonical.host)
      return redirect(res, `${canonical.origin}${url.pathname}${url.search}`);
    if (url.pathname === WEB_APP_PREFIX) return redirect(res, `${WEB_APP_PREFIX}/${url.search}`);
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return text(req, res, 405, 'The web app answers GET and HEAD only.', { allow: 'GET, HEAD' });
    const name = url.pathname.slice(WEB_APP_PREFIX.length + 1) || 'index.html';
    if (name === configFile.path) return send(req, res, 200, configFile);
    const file = (await built()).get(name);
    if (!file) return text(req, res, 404, `No ${url.pathname} in the web app.`);
    send(req, res, 200, file);
  }

  return {
    handle(req, res) {
      route(req, res).catch((error: unknown) => {
        options.log.line('web', `${req.method} ${req.url} failed: ${messageOf(error)}`);
        if (!res.headersSent) text(req, res, 500, messageOf(error));
        else res.end();
      });
    },
  };
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(308, { location, 'content-length': 0 });
  res.end();
}
