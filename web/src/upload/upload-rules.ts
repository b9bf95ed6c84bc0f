/** What the album page refuses before anything is sent, and what S3 says when it refuses a presigned POST. */
export interface FileFacts {
  name: string;
  type: string;
  size: number;
}

export function refusalOf(file: FileFacts, maxBytes: number | undefined): string | undefined {
  if (!file.type.startsWith('image/'))
    return `${file.name} is not an image${file.type ? ` (${file.type})` : ''}: only images can be uploaded.`;
  if (file.size === 0) return `${file.name} is empty.`;
  if (maxBytes !== undefined && file.size > maxBytes)
    return `${file.name} is ${sizeText(file.size)}, over the limit of ${sizeText(maxBytes)}.`;
  return undefined;
}

function sizeText(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return mib >= 1 ? `${mib.toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}

const S3_WORDS: Record<string, string> = {
  EntityTooLarge: 'the file is larger than the upload allows',
  EntityTooSmall: 'the file is empty',
  AccessDenied: 'the upload permission was refused or has expired',
  ExpiredToken: 'the upload permission has expired',
  InvalidPolicyDocument: 'the upload permission is not valid',
};

/** The words for S3's XML error answer to a POST (<Error><Code>..</Code><Message>..</Message></Error>). */
export function s3RefusalOf(status: number, xml: string): string {
  const code = /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(xml)?.[1];
  if (code && S3_WORDS[code]) return `Storage refused the file: ${S3_WORDS[code]}.`;
  if (code) return `Storage refused the file (${code}${message ? `: ${message}` : ''}).`;
  return `Storage refused the file (HTTP ${status}).`;
}
