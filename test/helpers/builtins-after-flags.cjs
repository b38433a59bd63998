// Preloaded into gatehouse (NODE_OPTIONS=--require) by test/e2e/startup-builtins.test.ts. It
// notes where process.moduleLoadList stood when gatehouse first set a V8 flag at run time, and
// as the process exits writes to $BUILTINS_REPORT, as JSON, whether a flag was set and which of
// node's built-in modules were loaded after it (those node compiled without its code cache).
'use strict';
const v8 = require('node:v8');
const { writeFileSync } = require('node:fs');

const setFlags = v8.setFlagsFromString;
let mark = null;
v8.setFlagsFromString = function setFlagsFromString(flags) {
  if (mark === null) mark = process.moduleLoadList.length;
  return setFlags.call(this, flags);
};
process.once('exit', () => {
  const after = mark === null ? [] : process.moduleLoadList.slice(mark);
  const builtins = after.filter((entry) => entry.startsWith('NativeModule ')).map((entry) => entry.slice('NativeModule '.length));
  writeFileSync(process.env.BUILTINS_REPORT, JSON.stringify({ flagSet: mark !== null, builtins }));
});
