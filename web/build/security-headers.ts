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
  const remote = [origins.api, ...origins.auth, ...origins.storage].map(originOf);
  return [
    "default-src 'self'",
    `connect-src ${list("'self'", ...remote)}`,
    `img-src ${list("'self'", ...origins.storage.map(originOf), 'data:', 'blob:')}`,
    "script-src 'self'",
    "style-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function securityHeaders(origins: AppOrigins): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(origins),
    'strict-transport-security': 'max-age=31536000; includeSubDomains',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
  };
}

function originOf(url: string): string {
  return new URL(url).origin;
}
