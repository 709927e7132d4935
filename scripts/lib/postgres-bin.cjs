/**
 * Where Debian's PostgreSQL server binaries are (`/usr/lib/postgresql/<major>/bin`), for `npm run
 * setup -- --servers` and `npm run cluster`. Plain CommonJS with no dependencies, because setup
 * loads it before `npm install` has run.
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const POSTGRES_ROOT = '/usr/lib/postgresql';

/** The newest PostgreSQL server folder Debian installed (…/15/bin), or undefined. */
function postgresBinDir(root = POSTGRES_ROOT) {
  let versions = [];
  try {
    versions = fs.readdirSync(root).filter((v) => /^\d+$/.test(v));
  } catch {
    return undefined;
  }
  const newest = versions.sort((a, b) => Number(b) - Number(a)).find((v) => fs.existsSync(path.join(root, v, 'bin', 'postgres')));
  return newest ? path.join(root, newest, 'bin') : undefined;
}

module.exports = { POSTGRES_ROOT, postgresBinDir };
