import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * X-Ray tracing (Powertools Tracer) where it pays: on the AWS calls, which is where a step's time goes. Every SDK
 * client of the functions is made in this folder and passed through `traced` once, so each S3, DynamoDB,
 * Rekognition and Step Functions call is a subsegment of the invocation's trace (template.yaml turns Tracing on),
 * with its service, operation, duration, throttling and error. Tracer turns itself off where there is no Lambda trace
 * to join: outside Lambda (no AWS_EXECUTION_ENV: tests, scripts) and under AWS_SAM_LOCAL (sam local, the local stack),
 * leaving the clients untouched.
 */
export const tracer = new Tracer();

export function traced<Client>(client: Client): Client {
  return tracer.captureAWSv3Client(client);
}
