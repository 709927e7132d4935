/**
 * One test for "a program is installed here", shared by the setup helpers that find the Temporal
 * CLI and the pinned Node. Plain CommonJS with no dependencies, loaded before `npm install` runs.
 */
const fs = require('node:fs');

/** True for a regular file this process may execute. */
function isExecutableFile(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

module.exports = { isExecutableFile };
