import type { Layer, Router } from '@koa/router';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { Document } from '../../src/openapi/types';
import { isVerifyPath } from '../../src/routes/verify';
import { openApiVariants } from './openapi-paths';

/** One request and the response gatehouse put on the wire. */
export interface Exchange {
  readonly method: string;
  /** Path and query, as requested. */
  readonly url: string;
  readonly status: number;
  /** Response headers, names in lowercase. */
  readonly headers: Readonly<Record<string, unknown>>;
  readonly body: Buffer;
}

type Pointer = readonly string[];

const ROOT = 'urn:gatehouse:openapi';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/**
 * Checks real responses against the OpenAPI document: the router (the same routes the app
 * serves) finds the operation; its status must be documented; documented headers must be
 * there when required and match their schemas; the body must have a documented media type
 * and match its schema (JSON Schema 2020-12, with ajv), or be empty when none is documented.
 * A path the router does not know must be the document's NotFound; a known path with another
 * method its MethodNotAllowed (or Options for OPTIONS) with an Allow that lists exactly the
 * documented methods.
 */
export class OpenApiChecker {
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(
    readonly document: Document,
    private readonly router: Router<any>,
  ) {
    this.ajv = new Ajv2020({ strict: true, allErrors: true });
    addFormats(this.ajv);
    // OpenAPI's format for inputs a UI should mask; any string.
    this.ajv.addFormat('password', true);
    // The document is added whole so that schemas are compiled where they are and their
    // $refs (#/components/...) resolve; these two keys are not JSON Schema keywords.
    this.ajv.addKeyword('paths');
    this.ajv.addKeyword('components');
    this.ajv.addSchema({ $id: ROOT, paths: document.paths, components: document.components });
  }

  /** Compiles every schema in the document (strict mode): throws on the first that is not valid. */
  compileAll(): number {
    let count = 0;
    const walk = (node: unknown, at: Pointer): void => {
      if (node === null || typeof node !== 'object') return;
      for (const [key, value] of Object.entries(node)) {
        if (key === 'schema' || (at.at(-1) === 'schemas' && at.length === 2)) {
          this.validatorAt([...at, key]);
          count += 1;
        } else {
          walk(value, [...at, key]);
        }
      }
    };
    walk({ paths: this.document.paths, components: this.document.components }, []);
    return count;
  }

  /** Examples (media types' `example`, schemas' `examples`) that do not match their schema. */
  exampleProblems(): string[] {
    const problems: string[] = [];
    const walk = (node: unknown, at: Pointer): void => {
      if (node === null || typeof node !== 'object') return;
      const object = node as Record<string, unknown>;
      const check = (schemaAt: Pointer, example: unknown) =>
        this.validate(schemaAt, example, 'example', (message) => problems.push(`${at.join('/')}: ${message}`));
      if ('schema' in object && 'example' in object) check([...at, 'schema'], object.example);
      if (Array.isArray(object.examples) && ('type' in object || '$ref' in object)) {
        for (const example of object.examples) check(at, example);
      }
      for (const [key, value] of Object.entries(object)) walk(value, [...at, key]);
    };
    walk({ paths: this.document.paths, components: this.document.components }, []);
    return problems;
  }

  /** "METHOD /documented/path" of the operation that answered (HEAD as GET); null for 404, 405 and OPTIONS. */
  operationOf(exchange: Exchange): string | null {
    const found = this.find(exchange);
    return found.kind === 'operation' ? `${found.method.toUpperCase()} ${found.path}` : null;
  }

  /** What is wrong with this exchange by the document; empty when nothing. */
  problems(exchange: Exchange): string[] {
    const problems: string[] = [];
    const where = `${exchange.method} ${exchange.url} → ${exchange.status}`;
    const fail = (message: string) => problems.push(`${where}: ${message}; body: ${exchange.body.toString('utf8').slice(0, 300)}`);
    const found = this.find(exchange);

    if (found.kind === 'unknown path') {
      this.checkResponse(exchange, ['components', 'responses', 'NotFound'], fail, 404);
    } else if (found.kind === 'other method') {
      const sent = String(exchange.headers.allow ?? '').split(', ');
      if (sent.length !== found.allowed.size || !sent.every((m) => found.allowed.has(m))) {
        fail(`Allow is "${String(exchange.headers.allow)}" but the document has ${[...found.allowed].join(', ')}`);
      }
      const options = exchange.method === 'OPTIONS' && !isVerifyPath(new URL(exchange.url, 'http://gatehouse.invalid').pathname);
      this.checkResponse(exchange, ['components', 'responses', options ? 'Options' : 'MethodNotAllowed'], fail, options ? 200 : 405);
    } else {
      const { path, method } = found;
      const item = this.document.paths[path] as Record<string, { responses: Record<string, unknown> }> | undefined;
      const operation = item?.[method];
      if (operation === undefined) fail(`the document has no ${method.toUpperCase()} ${path}`);
      else if (operation.responses[String(exchange.status)] === undefined) {
        fail(`status ${exchange.status} is not documented for ${method.toUpperCase()} ${path}`);
      } else this.checkResponse(exchange, ['paths', path, method, 'responses', String(exchange.status)], fail);
    }
    return problems;
  }

  /** Which part of the document speaks for this request, by the router's own matching. */
  private find(
    exchange: Exchange,
  ): { kind: 'unknown path' } | { kind: 'other method'; allowed: Set<string> } | { kind: 'operation'; path: string; method: string } {
    const path = new URL(exchange.url, 'http://gatehouse.invalid').pathname;
    const match = this.router.match(path, exchange.method);
    const layers = match.path.filter((layer) => layer.methods.length > 0);
    if (layers.length === 0) return { kind: 'unknown path' };
    const routed = match.route ? match.pathAndMethod.find((layer) => layer.methods.length > 0) : undefined;
    if (routed === undefined) {
      const allowed = new Set(layers.flatMap((layer) => this.documentedMethods(layer, path)));
      if (allowed.has('GET')) allowed.add('HEAD');
      return { kind: 'other method', allowed };
    }
    return {
      kind: 'operation',
      path: this.variantOf(routed, path),
      method: exchange.method === 'HEAD' ? 'get' : exchange.method.toLowerCase(),
    };
  }

  private checkResponse(exchange: Exchange, at: Pointer, fail: (message: string) => void, status?: number): void {
    if (status !== undefined && exchange.status !== status) {
      fail(`expected ${status} (${at.at(-1)})`);
      return;
    }
    const [pointer, response] = this.resolve(at);
    const { headers = {}, content } = response as { headers?: Record<string, unknown>; content?: Record<string, unknown> };
    for (const name of Object.keys(headers)) {
      const [headerAt, header] = this.resolve([...pointer, 'headers', name]);
      const value = exchange.headers[name.toLowerCase()];
      if (value === undefined) {
        if ((header as { required?: boolean }).required) fail(`the required header ${name} is missing`);
        continue;
      }
      this.validate([...headerAt, 'schema'], String(value), `header ${name}`, fail);
    }
    const text = exchange.body.toString('utf8');
    if (exchange.method === 'HEAD' || exchange.status === 304 || content === undefined) {
      if (exchange.body.length > 0) fail('the body should be empty');
      return;
    }
    const type = String(exchange.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!Object.hasOwn(content, type)) {
      fail(`Content-Type "${type}" is not documented (${Object.keys(content).join(', ')})`);
      return;
    }
    let body: unknown = text;
    if (type === 'application/json') {
      try {
        body = JSON.parse(text);
      } catch {
        fail('the body is not JSON');
        return;
      }
    }
    this.validate([...pointer, 'content', type, 'schema'], body, 'body', fail);
  }

  private validate(at: Pointer, value: unknown, what: string, fail: (message: string) => void): void {
    const validator = this.validatorAt(at);
    if (!validator(value)) {
      fail(`${what} does not match ${at.join('/')}: ${this.ajv.errorsText(validator.errors, { dataVar: what })}`);
    }
  }

  private validatorAt(at: Pointer): ValidateFunction {
    const key = `${ROOT}#/${at.map((s) => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/')}`;
    let validator = this.compiled.get(key);
    if (validator === undefined) {
      validator = this.ajv.getSchema(key);
      if (validator === undefined) throw new Error(`no schema at ${at.join('/')}`);
      this.compiled.set(key, validator);
    }
    return validator;
  }

  /** The object at `at`, following one local $ref, and where it really is. */
  private resolve(at: Pointer): [Pointer, unknown] {
    const get = (pointer: Pointer) =>
      pointer.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], this.document);
    const node = get(at) as { $ref?: string } | undefined;
    if (node === undefined) throw new Error(`nothing at ${at.join('/')}`);
    if (node.$ref === undefined) return [at, node];
    const target = node.$ref.replace(/^#\//, '').split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    return [target, get(target)];
  }

  /** The documented path of a route layer for this request path: the variant with its params. */
  private variantOf(layer: Layer<any, any>, path: string): string {
    const present = Object.keys(layer.params(path, layer.captures(path))).sort().join(',');
    const variant = openApiVariants(layer.path as string).find((v) => [...v.params].sort().join(',') === present);
    if (variant === undefined) throw new Error(`no OpenAPI variant of ${String(layer.path)} with params ${present}`);
    return variant.path;
  }

  private documentedMethods(layer: Layer<any, any>, path: string): string[] {
    const item = this.document.paths[this.variantOf(layer, path)] ?? {};
    return Object.keys(item)
      .filter((key) => METHODS.includes(key))
      .map((key) => key.toUpperCase());
  }
}
