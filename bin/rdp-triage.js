#!/usr/bin/env node
// The only entry point. Sources are TypeScript run through tsx's loader, so a fresh clone
// works after `npm ci` with no build step (Node 20 has no type stripping of its own).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
