/**
 * Headers that sign a hand-made request the way the local stack checks: a SigV4 Authorization header of the right
 * shape with a current date. The stack has no secret to verify a signature with (any credentials work, as with every
 * offline emulator), so the signature's bytes are not computed here; tests that need real ones use the SDK.
 */
export function sigv4Headers(service: string, accessKey = 'test'): Record<string, string> {
  const date = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  return {
    authorization:
      `AWS4-HMAC-SHA256 Credential=${accessKey}/${date.slice(0, 8)}/us-east-1/${service}/aws4_request, ` +
      `SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
    'x-amz-date': date,
    ...(service === 's3' ? { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } : {}),
  };
}
