import type { Handler } from './gateway';
import { serveJson } from './http/json-protocol';
import { ServiceError } from './http/respond';
import { messageOf, type StackLog } from './log';
import type { RekognitionService } from './recognition/index.js';

/**
 * The Rekognition API (JSON 1.1, X-Amz-Target RekognitionService.*) in front of local/recognition, which is loaded
 * on the first request (its models take seconds to load and most runs never call it). A failed load is reported on
 * that request and tried again on the next one.
 */
export interface RekognitionApi {
  handle: Handler;
  close(): Promise<void>;
}

type ReadS3Object = (bucket: string, key: string, version?: string) => Promise<Uint8Array>;

export function createRekognitionApi(readS3Object: ReadS3Object, log: StackLog): RekognitionApi {
  let loading: Promise<RekognitionService> | undefined;

  function service(): Promise<RekognitionService> {
    if (loading) return loading;
    const attempt = (async () => {
      const { createRekognitionService } =
        (await import('./recognition/index.js')) as typeof import('./recognition/index.js');
      return createRekognitionService({ readS3Object });
    })();
    loading = attempt;
    attempt.catch((error: unknown) => {
      log.line('rekognition', `the local recognition did not load: ${messageOf(error)}`);
      if (loading === attempt) loading = undefined;
    });
    return attempt;
  }

  return {
    handle(req, res) {
      const pending = service();
      serveJson(
        req,
        res,
        {
          contentType: 'application/x-amz-json-1.1',
          call: async (operation, body) => {
            const answer = await (await pending).handle(`RekognitionService.${operation}`, body);
            if (answer.status < 400) return answer.body;
            const error = answer.body as { __type?: string; Message?: string; message?: string };
            throw new ServiceError(
              error.__type ?? 'InternalServerError',
              error.Message ?? error.message ?? 'Rekognition failed',
              answer.status,
            );
          },
        },
        log,
        'Rekognition',
      );
    },
    async close() {
      if (loading) await (await loading.catch(() => undefined))?.close().catch(() => undefined);
    },
  };
}
