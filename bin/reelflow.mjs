#!/usr/bin/env node
// `npx reelflow …`: loads the TypeScript CLI through tsx's CommonJS hook, in this process, so
// exit codes and signals need no forwarding.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require('tsx/cjs');
require('../src/cli/main.ts').main();
