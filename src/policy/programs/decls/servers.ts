import type { ProgramDecl, ServeDecl } from '../types.js';
import { INTERPRETERS } from './interpreters.js';

/** File servers: everything under the directory they serve can be read from the network. */

const STATIC: ServeDecl = { root: ['--root', '-r', '-d', '--dir'], otherwise: 'operand' };
const HTTPD: ServeDecl = { root: ['-h'] };
const JUPYTER: ServeDecl = { root: ['--notebook-dir', '--ServerApp.root_dir', '--NotebookApp.notebook_dir'], when: { any: ['lab', 'notebook', 'server'] }, rootAlone: true };

const BY_LANGUAGE: Partial<Record<keyof typeof INTERPRETERS, ServeDecl>> = {
  python: { root: ['-d', '--directory'], when: { option: '-m', values: ['http.server', 'SimpleHTTPServer', 'uploadserver', 'RangeHTTPServer'] } },
  php: { root: ['-t'], when: { all: ['-S'] } },
  ruby: { root: [], when: { all: ['-run', 'httpd'] }, otherwise: 'operand' },
};

const SERVERS: Record<string, ServeDecl> = {
  ...Object.fromEntries(['http-server', 'serve', 'live-server', 'static-server', 'httpserver', 'miniserve', 'darkhttpd', 'webfsd'].map((name) => [name, STATIC])),
  caddy: { root: ['--root', '-r'], when: { first: 'file-server' } },
  httpd: HTTPD,
  lighttpd: HTTPD,
  busybox: { ...HTTPD, when: { first: 'httpd' } },
  ...Object.fromEntries(['jupyter', 'jupyter-lab', 'jupyter-notebook'].map((name) => [name, JUPYTER])),
  // `kubectl proxy --www DIR`
  kubectl: { root: ['--www', '-w'], when: { any: ['proxy'] }, otherwise: 'none' },
};

export const SERVER_DECLS: ProgramDecl[] = [
  ...Object.entries(BY_LANGUAGE).flatMap(([language, serves]) => INTERPRETERS[language as keyof typeof INTERPRETERS].map((name): ProgramDecl => ({ names: [name], serves }))),
  ...Object.entries(SERVERS).map(([name, serves]): ProgramDecl => ({ names: [name], serves })),
];
