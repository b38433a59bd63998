import type * as Prom from 'prom-client';

// The four parts of prom-client gatehouse uses, each from its own file: the package's index also
// loads its Pushgateway (node's https, and so tls) and its cluster aggregator (node's cluster),
// which start-up would pay for and gatehouse never uses.
export const Registry = require('prom-client/lib/registry') as typeof Prom.Registry;
export type Registry = Prom.Registry;
export const Counter = require('prom-client/lib/counter') as typeof Prom.Counter;
export type Counter<T extends string = string> = Prom.Counter<T>;
export const Histogram = require('prom-client/lib/histogram') as typeof Prom.Histogram;
export type Histogram<T extends string = string> = Prom.Histogram<T>;
export const collectDefaultMetrics = require('prom-client/lib/defaultMetrics') as typeof Prom.collectDefaultMetrics;
