import type { ProgramDecl } from '../types.js';

/** Options whose value is a shell command, per program. */
const SCRIPT_OPTIONS: Record<string, readonly string[]> = {
  tar: ['--to-command', '--use-compress-program', '-I', '--rsh-command', '--info-script', '--new-volume-script'],
  rsync: ['-e', '--rsh', '--rsync-path'],
  zip: ['-TT', '--unzip-command'],
  man: ['-P', '--pager', '-H', '--html'],
  less: [],
  git: ['--upload-pack', '--receive-pack', '--exec'],
  scp: ['-S'],
  sftp: ['-S'],
  'ssh-agent': [],
  scrot: ['-e', '--exec'],
  split: ['--filter'],
  aria2c: ['--on-download-complete', '--on-download-start', '--on-download-error', '--on-download-stop', '--on-download-pause', '--on-bt-download-complete'],
  openvpn: ['--up', '--down', '--route-up', '--route-pre-down', '--ipchange', '--client-connect', '--client-disconnect', '--learn-address', '--auth-user-pass-verify', '--tls-verify'],
  tcpdump: ['-z'],
  rlwrap: [],
  watch: [],
  entr: [],
  mutt: [],
  'inotifywait': [],
  sqlmap: ['--os-cmd'],
  mysql: ['--pager'],
  mariadb: ['--pager'],
  valgrind: ['--db-command'],
  hyperfine: ['-p', '--prepare', '-s', '--setup', '-c', '--cleanup', '--conclude'],
  nodemon: ['-x', '--exec'],
  'cargo-watch': ['-x', '--exec', '-s', '--shell'],
  // (watchexec's --shell names the shell its command words go to, which are judged as that shell's script)
  perf: ['--pre', '--post'],
};

/**
 * Options that make a program run code harness cannot read: a script language of its own (vim ex
 * commands, gdb commands, TeX's \write18, nmap scripts), or a program it loads.
 */
const HIDDEN_CODE_OPTIONS: Record<string, readonly string[]> = {
  gdb: ['-x', '--command', '-ix', '--init-command', '-iex', '--init-eval-command'],
  pdflatex: ['--shell-escape', '-shell-escape', '--enable-write18', '-enable-write18'],
  latex: ['--shell-escape', '-shell-escape', '--enable-write18'],
  xelatex: ['--shell-escape', '-shell-escape'],
  lualatex: ['--shell-escape', '-shell-escape'],
  tex: ['--shell-escape', '-shell-escape'],
  xetex: ['--shell-escape', '-shell-escape'],
  luatex: ['--shell-escape', '-shell-escape'],
  pdftex: ['--shell-escape', '-shell-escape'],
  latexmk: ['-shell-escape', '--shell-escape', '-e', '-r'],
  nmap: ['--script', '-sC', '--script-args'],
  openssl: ['-engine', '-provider', '-provider-path'],
  openvpn: ['--plugin', '--config', '--script-security'],
  vim: ['-S', '-u', '--cmd'],
  nvim: ['-S', '-u', '--cmd', '-l'],
  vi: ['-S', '-u', '--cmd'],
  view: ['-S', '-u', '--cmd'],
  ex: ['-S', '-u', '--cmd'],
  rvim: ['-S', '-u', '--cmd'],
  gvim: ['-S', '-u', '--cmd'],
  emacs: ['--eval', '-l', '--load', '--script', '-f', '--funcall', '-batch', '--batch'],
  perf: ['-s', '--script'],
  rpm: ['--eval', '-E', '--pipe', '--macros'],
};


const names = new Set([...Object.keys(SCRIPT_OPTIONS), ...Object.keys(HIDDEN_CODE_OPTIONS)]);

export const CODE_OPTION_DECLS: ProgramDecl[] = [...names].map((name): ProgramDecl => ({
  names: [name],
  codeOptions: { ...(SCRIPT_OPTIONS[name] ? { shell: SCRIPT_OPTIONS[name] } : {}), ...(HIDDEN_CODE_OPTIONS[name] ? { hidden: HIDDEN_CODE_OPTIONS[name] } : {}) },
}));
