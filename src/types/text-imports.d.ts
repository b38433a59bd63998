// Static files imported as text (`with { type: 'text' }`): scripts/build.mjs embeds them in the
// bundle (compressed), and jest loads them through test/helpers/text-transform.js.
declare module 'swagger-ui-dist/*.js' {
  const text: string;
  export default text;
}
declare module 'swagger-ui-dist/*.css' {
  const text: string;
  export default text;
}
