// @koa/multer ships no types; gatehouse only uses `none()` (text fields, no files).
declare module '@koa/multer' {
  import type { Middleware } from 'koa';
  import type { Options } from 'multer';

  interface KoaMulter {
    none(): Middleware;
  }
  function multer(options?: Options): KoaMulter;
  export default multer;
}
