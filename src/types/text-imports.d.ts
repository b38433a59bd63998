// Static files imported as text (`with { type: 'text' }`): esbuild embeds them in the bundle as
// strings, and jest loads them through test/helpers/text-transform.js.
declare module 'swagger-ui-dist/*.js' {
  const text: string;
  export default text;
}
declare module 'swagger-ui-dist/*.css' {
  const text: string;
  export default text;
}
