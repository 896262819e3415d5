/**
 * Makes `require('vscode')` load the stand-in in ./vscode.ts. Import this
 * before any module that imports `vscode`: outside the editor there is no
 * such module to resolve.
 */
import Module from 'node:module';
import * as path from 'node:path';

interface Resolver {
  _resolveFilename(request: string, ...rest: unknown[]): string;
}

const resolver = Module as unknown as Resolver;
const resolve = resolver._resolveFilename.bind(resolver);
const standIn = path.join(__dirname, 'vscode.js');

resolver._resolveFilename = (request: string, ...rest: unknown[]): string =>
  request === 'vscode' ? standIn : resolve(request, ...rest);
