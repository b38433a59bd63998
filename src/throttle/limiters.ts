import type * as Flexible from 'rate-limiter-flexible';

// The three classes the throttle uses, each from its own file: the package's index loads every
// backend it supports (cluster, Mongo, SQL, DynamoDB, ...), measured at 26 ms of a start-up in
// node against 7 ms for these three.
export const RateLimiterMemory = require('rate-limiter-flexible/lib/RateLimiterMemory') as typeof Flexible.RateLimiterMemory;
/** Loaded on first use: only the Redis store needs it. */
export const rateLimiterRedis = () => require('rate-limiter-flexible/lib/RateLimiterRedis') as typeof Flexible.RateLimiterRedis;
export const RateLimiterRes = require('rate-limiter-flexible/lib/RateLimiterRes') as typeof Flexible.RateLimiterRes;
export type RateLimiterRes = Flexible.RateLimiterRes;
export type RateLimiterAbstract = Flexible.RateLimiterAbstract;
