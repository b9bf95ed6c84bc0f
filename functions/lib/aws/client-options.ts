/**
 * Settings every AWS client in the functions shares. Endpoints come from the SDK's own AWS_ENDPOINT_URL(_<SERVICE>)
 * variables, so the same bundle talks to AWS or to the local stack. Checksums only when an API requires them: the
 * SDK's default trailing checksums break S3 emulators and presigned PUTs made for browsers.
 *
 * One module per client (this folder) rather than one module for all: esbuild cannot drop an unused SDK client
 * from a bundle, so each handler imports only the clients it uses.
 */
export const clientOptions = {
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
} as const;
