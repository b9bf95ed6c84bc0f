import type { ThrottleModel } from './http-api-model';

/**
 * API Gateway's throttling of a route: a token bucket holding at most `burstLimit` requests, refilled at `rateLimit`
 * requests per second. A request that finds the bucket empty is answered 429 without reaching the function.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly limits: ThrottleModel,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = limits.burstLimit;
    this.last = now();
  }

  take(): boolean {
    const time = this.now();
    const refill = ((time - this.last) / 1000) * this.limits.rateLimit;
    this.tokens = Math.min(this.limits.burstLimit, this.tokens + refill);
    this.last = time;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** One bucket per route key, made on first use. */
export class RouteThrottle {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly now?: () => number) {}

  take(routeKey: string, limits: ThrottleModel): boolean {
    let bucket = this.buckets.get(routeKey);
    if (!bucket) {
      bucket = new TokenBucket(limits, this.now);
      this.buckets.set(routeKey, bucket);
    }
    return bucket.take();
  }
}
