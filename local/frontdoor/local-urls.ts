/**
 * Where the front door lives on the local endpoint, and the map from the URLs AWS would give (what the template's
 * outputs, callback URLs and authorizer issuer resolve to) to the local ones:
 *
 *   https://{api}.execute-api.{region}.amazonaws.com[/stage]  ->  http://localhost:{port}/_api[/stage]
 *   https://cognito-idp.{region}.amazonaws.com/{pool}         ->  http://localhost:{port}/_auth   (the issuer)
 *   https://{domain}.auth.{region}.amazoncognito.com          ->  http://localhost:{port}/_auth   (the login base)
 *   https://{distribution}.cloudfront.net/                    ->  http://localhost:{port}/_app/
 *
 * URLs are matched by their AWS shape, not by a resource name, so the template can name its resources as it likes.
 */
export const API_PREFIX = '/_api';
export const AUTH_PREFIX = '/_auth';
export const APP_PREFIX = '/_app';

export interface LocalUrls {
  /** http://localhost:{port}: what browsers and tools use (tokens carry it, so it is not the 127.0.0.1 endpoint). */
  origin: string;
  api: string;
  issuer: string;
  app: string;
  /** An AWS-shaped URL as its local counterpart; any other string unchanged. */
  rewrite(value: string): string;
}

export function localUrls(port: number): LocalUrls {
  const origin = `http://localhost:${port}`;
  const api = `${origin}${API_PREFIX}`;
  const issuer = `${origin}${AUTH_PREFIX}`;
  const app = `${origin}${APP_PREFIX}`;
  const rules: [RegExp, string][] = [
    [/^https:\/\/[a-z0-9-]+\.execute-api\.[a-z0-9-]+\.amazonaws\.com(?=\/|$)/i, api],
    [/^https:\/\/cognito-idp\.[a-z0-9-]+\.amazonaws\.com\/[^/?#]+(?=\/|$)/i, issuer],
    [/^https:\/\/[a-z0-9-]+\.auth\.[a-z0-9-]+\.amazoncognito\.com(?=\/|$)/i, issuer],
    [/^https:\/\/[a-z0-9.-]+\.cloudfront\.net(?=\/|$)/i, app],
  ];
  return {
    origin,
    api,
    issuer,
    app,
    rewrite(value) {
      for (const [pattern, local] of rules) if (pattern.test(value)) return value.replace(pattern, local);
      return value;
    },
  };
}

/** The stack's outputs with every AWS-shaped URL made local (DescribeStacks and /_local/health answer these). */
export function localOutputs<T extends { value: string }>(
  outputs: Record<string, T>,
  urls: LocalUrls,
): Record<string, T> {
  return Object.fromEntries(
    Object.entries(outputs).map(([name, output]) => [name, { ...output, value: urls.rewrite(output.value) }]),
  );
}

const CLOUDFRONT_ORIGIN = /^https:\/\/[a-z0-9.-]+\.cloudfront\.net\/?$/i;

/**
 * The buckets with each CORS origin that is a CloudFront distribution (where the web app is on AWS) made the local
 * web app's origin, so a browser on /_app/ may upload to and read from them as it may from CloudFront on AWS.
 */
export function localBuckets<T extends { cors: { AllowedOrigins: string[] }[] }>(buckets: T[], urls: LocalUrls): T[] {
  const local = (origin: string) => (CLOUDFRONT_ORIGIN.test(origin) ? urls.origin : origin);
  return buckets.map((bucket) => ({
    ...bucket,
    cors: bucket.cors.map((rule) => ({ ...rule, AllowedOrigins: [...new Set(rule.AllowedOrigins.map(local))] })),
  }));
}
