// Preloaded into gatehouse (NODE_OPTIONS=--require) by test/e2e/startup-builtins.test.ts. It
// notes where process.moduleLoadList stood when gatehouse first set a V8 flag at run time, and
// as the process exits writes to $BUILTINS_REPORT, as a JSON array, node's built-in modules
// loaded after it (those node compiled without its code cache). A thread that set no flag writes
// nothing: a preload also runs in each worker thread, and no report at all fails the test.
// It loads no built-in of its own that node has not loaded already (node:v8 aside, which
// gatehouse loads before its first flag), so it hides none from the report.
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
  if (mark === null) return;
  const after = process.moduleLoadList.slice(mark).filter((entry) => entry.startsWith('NativeModule '));
  writeFileSync(process.env.BUILTINS_REPORT, JSON.stringify(after.map((entry) => entry.slice('NativeModule '.length))));
});
