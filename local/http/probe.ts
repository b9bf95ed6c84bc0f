import http from 'node:http';
import https from 'node:https';

/**
 * A GET that reports why nothing answered. (fetch is not used: it refuses the ports the Fetch standard blocks and
 * hides the socket error code.)
 */
export interface ProbeAnswer {
  status: number;
  body: string;
}

export class ProbeFailed extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ProbeFailed';
  }
}

export function probe(url: URL, timeoutMs: number): Promise<ProbeAnswer> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const request = client.get(url, { timeout: timeoutMs }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', (error) => reject(new ProbeFailed('ERESPONSE', error.message)));
    });
    request.on('timeout', () => request.destroy(new ProbeFailed('ETIMEDOUT', `no answer within ${timeoutMs} ms`)));
    request.on('error', (error: NodeJS.ErrnoException) =>
      reject(error instanceof ProbeFailed ? error : new ProbeFailed(error.code ?? error.name, error.message)),
    );
  });
}

export function describeProbeFailure(error: unknown): string {
  const code = error instanceof ProbeFailed ? error.code : (error as Error).name;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ETIMEDOUT':
      return 'no answer';
    default:
      return `${code}: ${(error as Error).message}`;
  }
}
