// Generates src/passwords/common-passwords.json, the list of common passwords that registration
// (and every other password change) refuses. Run it after upgrading @zxcvbn-ts/language-common;
// `--check` exits 1 when the committed file differs from what it would write (a test runs that).
//
// Source: @zxcvbn-ts/language-common (MIT), src/passwords.json: passwords ordered by how often
// they appear in leaked password dumps, most common first (the list zxcvbn is built on).
// Kept: the first COUNT entries that gatehouse's own rules would otherwise accept (8 to 128
// characters, no control characters), lowercased, because shorter ones are refused anyway and the
// check compares case-insensitively. OWASP ASVS 5.0 §6.2.4 asks for at least the top 3,000.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const COUNT = 5000;
const PACKAGE = '@zxcvbn-ts/language-common';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'src/passwords/common-passwords.json');

const require = createRequire(join(root, 'package.json'));
const packageDir = dirname(require.resolve(`${PACKAGE}/package.json`));
const { version, license } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
const ranked = JSON.parse(readFileSync(join(packageDir, 'src/passwords.json'), 'utf8'));

const CONTROL = /[\u0000-\u001f\u007f]/;
const accepted = (p) => [...p].length >= 8 && [...p].length <= 128 && !CONTROL.test(p) && p.isWellFormed();
const passwords = [...new Set(ranked.filter(accepted).map((p) => p.toLowerCase()))].slice(0, COUNT);

const header = {
  source: `${PACKAGE} ${version}, src/passwords.json (ordered by frequency in leaked password dumps)`,
  license: `${license}: Copyright (c) 2012-2016 Dan Wheeler and Dropbox, Inc.; Copyright (c) 2021 @zxcvbn-ts`,
  selection: `the ${COUNT} most common entries of 8 to 128 characters without control characters, lowercased`,
  generated_by: 'node scripts/common-passwords.mjs',
};
const text =
  JSON.stringify(header, null, 2).replace(/\n}$/, ',\n  "passwords": [\n') +
  passwords.map((p) => `    ${JSON.stringify(p)}`).join(',\n') +
  '\n  ]\n}\n';

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {}
  if (current !== text) {
    process.stderr.write(`${target} is not what scripts/common-passwords.mjs generates from ${PACKAGE} ${version}\n`);
    process.exit(1);
  }
} else {
  writeFileSync(target, text);
  process.stdout.write(`wrote ${passwords.length} passwords to ${target}\n`);
}
