/**
 * The security headers CloudFront's response headers policy adds on AWS (template.yaml, WebDistribution), for the
 * local stack to send the same: a CSP that lets the app talk only to itself, the API, the sign-in provider and the
 * storage its presigned URLs point at; nosniff; no framing.
 */
export interface AppOrigins {
  api: string;
  auth: string[];
  storage: string[];
}

export function contentSecurityPolicy(origins: AppOrigins): string {
  const list = (...sources: string[]) => [...new Set(sources)].join(' ');
  const auth = origins.auth.map(originOf);
  const storage = origins.storage.map(originOf);
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src ${list("'self'", 'data:', 'blob:', ...storage)}`,
    `connect-src ${list("'self'", originOf(origins.api), ...auth, ...storage)}`,
    `form-action ${list("'self'", ...auth)}`,
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "object-src 'none'",
  ].join('; ');
}

/** Header names as Node sends them; values as the template's WebResponseHeadersPolicy sets them. */
export function securityHeaders(origins: AppOrigins): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(origins),
    'strict-transport-security': 'max-age=63072000; includeSubDomains',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'strict-origin-when-cross-origin',
  };
}

function originOf(url: string): string {
  return new URL(url).origin;
}
