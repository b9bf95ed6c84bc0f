/**
 * Rekognition's error types, by the exact `__type` the AWS SDK maps to its exception classes.
 * ValidationException and UnknownOperationException are not modelled by @aws-sdk/client-rekognition: the SDK raises
 * them as RekognitionServiceException with that `name`, as it does against the real service.
 */
export type RekognitionErrorType =
  | 'InvalidParameterException'
  | 'InvalidImageFormatException'
  | 'InvalidS3ObjectException'
  | 'ImageTooLargeException'
  | 'ResourceNotFoundException'
  | 'ValidationException'
  | 'UnknownOperationException'
  | 'InternalServerError';

export class RekognitionError extends Error {
  constructor(
    readonly type: RekognitionErrorType,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = type;
  }
}

/** The messages are the ones the real service answers with, so logs read the same locally and in AWS. */
export const invalidParameter = (message = 'Request has invalid parameters'): RekognitionError =>
  new RekognitionError('InvalidParameterException', message);

export const invalidImageFormat = (): RekognitionError =>
  new RekognitionError('InvalidImageFormatException', 'Request has invalid image format');

export const invalidS3Object = (): RekognitionError =>
  new RekognitionError(
    'InvalidS3ObjectException',
    'Unable to get object metadata from S3. Check object key, region and/or access permissions.',
  );

export const imageTooLarge = (message = 'Image size is too large.'): RekognitionError =>
  new RekognitionError('ImageTooLargeException', message);

export const resourceNotFound = (message: string): RekognitionError =>
  new RekognitionError('ResourceNotFoundException', message);

export const validationError = (value: unknown, member: string, constraint: string): RekognitionError =>
  new RekognitionError(
    'ValidationException',
    `1 validation error detected: Value '${String(value)}' at '${member}' failed to satisfy constraint: ${constraint}`,
  );

export const internalError = (message: string): RekognitionError =>
  new RekognitionError('InternalServerError', message, 500);
