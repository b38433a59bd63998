import type { Router } from '@koa/router';
import { parse, type Token } from 'path-to-regexp';

/** One OpenAPI path a router path stands for, and the path parameters it has. */
export interface PathVariant {
  readonly path: string;
  readonly params: readonly string[];
}

/**
 * The OpenAPI paths of a @koa/router (path-to-regexp 8) path. OpenAPI has no optional parts
 * and no wildcards, so each optional group `{...}` gives two variants (without and with it), and
 * `:name` and `*name` both become `{name}`: `/auth/verify{/*rest}` is `/auth/verify` and
 * `/auth/verify/{rest}`; `/sessions/:jti` is `/sessions/{jti}`.
 */
export function openApiVariants(routerPath: string): PathVariant[] {
  const expand = (tokens: readonly Token[]): PathVariant[] => {
    let variants: PathVariant[] = [{ path: '', params: [] }];
    for (const token of tokens) {
      let parts: PathVariant[];
      if (token.type === 'text') parts = [{ path: token.value, params: [] }];
      else if (token.type === 'param' || token.type === 'wildcard') parts = [{ path: `{${token.name}}`, params: [token.name] }];
      else parts = [{ path: '', params: [] }, ...expand(token.tokens)];
      variants = variants.flatMap((v) => parts.map((p) => ({ path: v.path + p.path, params: [...v.params, ...p.params] })));
    }
    return variants;
  };
  return expand(parse(routerPath).tokens);
}

/** Every "METHOD /openapi/path" the router serves (HEAD left out: @koa/router adds it to every GET). */
export function routerOperations(router: Router<any>): string[] {
  const operations = new Set<string>();
  for (const layer of router.stack) {
    if (typeof layer.path !== 'string') throw new Error(`a RegExp route cannot be documented: ${String(layer.path)}`);
    for (const { path } of openApiVariants(layer.path)) {
      for (const method of layer.methods) if (method !== 'HEAD') operations.add(`${method} ${path}`);
    }
  }
  return [...operations].sort();
}
