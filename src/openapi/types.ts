/**
 * The parts of OpenAPI 3.1 (https://spec.openapis.org/oas/v3.1.0) that gatehouse's document uses.
 * Schemas are JSON Schema 2020-12, the dialect OpenAPI 3.1 defaults to.
 */

export type JsonType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null';

/** A JSON Schema 2020-12 schema (the keywords used here). */
export interface Schema {
  $ref?: string;
  title?: string;
  description?: string;
  type?: JsonType | JsonType[];
  const?: unknown;
  default?: unknown;
  enum?: readonly unknown[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, Schema>;
  required?: readonly string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  minItems?: number;
  allOf?: Schema[];
  oneOf?: Schema[];
  examples?: unknown[];
  contentMediaType?: string;
}

export interface Reference {
  $ref: string;
}

export interface Header {
  description?: string;
  required?: boolean;
  schema: Schema;
}

export interface MediaType {
  schema: Schema;
  example?: unknown;
}

export interface Response {
  description: string;
  headers?: Record<string, Header | Reference>;
  content?: Record<string, MediaType>;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  description?: string;
  required?: boolean;
  schema: Schema;
}

export interface RequestBody {
  description?: string;
  required?: boolean;
  content: Record<string, MediaType>;
}

/** Alternatives: any one entry (an object of scheme names) satisfies it; `[]` means no auth. */
export type SecurityRequirement = Record<string, string[]>[];

export interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  security: SecurityRequirement;
  parameters?: (Parameter | Reference)[];
  requestBody?: RequestBody;
  /** Keyed by status code. */
  responses: Record<string, Response | Reference>;
}

export type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'options' | 'head' | 'patch' | 'trace';

export type PathItem = Partial<Record<HttpMethod, Operation>> & { description?: string };

export interface SecurityScheme {
  type: 'http' | 'apiKey';
  scheme?: 'basic' | 'bearer';
  bearerFormat?: string;
  in?: 'header';
  name?: string;
  description: string;
}

export interface Document {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string; license: { name: string; identifier: string } };
  servers: { url: string; description: string }[];
  tags: { name: string; description: string }[];
  paths: Record<string, PathItem>;
  components: {
    schemas: Record<string, Schema>;
    headers: Record<string, Header>;
    responses: Record<string, Response>;
    securitySchemes: Record<string, SecurityScheme>;
  };
}
