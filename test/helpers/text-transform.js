// Jest transform for static files that src/ imports `with { type: 'text' }` (the API docs page's
// assets): the module is the file's text, as esbuild's text loader makes it in the bundle.
module.exports = {
  process(source) {
    return { code: `module.exports = ${JSON.stringify(source)};` };
  },
};
