// `npm run postman`: runs the Postman collection (postman/gatehouse.postman_collection.json)
// with newman against a running gatehouse, and exits 1 if any request or assertion fails.
//
//   node scripts/postman.mjs [--url http://127.0.0.1:8080] [--username NAME] [--report FILE]
//
// --url (or GATEHOUSE_URL) is the gatehouse to test; --username fixes the user the collection
// registers (by default it makes a new one each run); --report also writes newman's JSON report.
// newman talks to that URL only: the collection is a local file, and newman has no update check.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import newman from 'newman';

const { values } = parseArgs({
  options: { url: { type: 'string' }, username: { type: 'string' }, report: { type: 'string' } },
});
const baseUrl = (values.url ?? process.env.GATEHOUSE_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
if (!/^https?:\/\/[^/]+$/.test(baseUrl)) {
  console.error(`postman: --url must be a base URL such as http://127.0.0.1:8080, not ${baseUrl}`);
  process.exit(2);
}
const envVar = [{ key: 'baseUrl', value: baseUrl }];
if (values.username !== undefined) envVar.push({ key: 'username', value: values.username });

newman.run(
  {
    collection: fileURLToPath(new URL('../postman/gatehouse.postman_collection.json', import.meta.url)),
    envVar,
    reporters: values.report === undefined ? ['cli'] : ['cli', 'json'],
    reporter: values.report === undefined ? {} : { json: { export: values.report } },
    timeoutRequest: 10_000,
  },
  (err, summary) => {
    if (err) {
      console.error(`postman: newman could not run the collection: ${err.message}`);
      process.exitCode = 2;
      return;
    }
    const { failures, stats } = summary.run;
    if (failures.length > 0 || stats.assertions.failed > 0 || stats.requests.failed > 0) process.exitCode = 1;
  },
);
