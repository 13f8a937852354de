import type { ProgramDecl } from '../types.js';

/** Network clients: what they bring in, what they can carry out, what they look up. */
export const NETWORK_DECLS: ProgramDecl[] = [
  ...['curl', 'wget', 'fetch', 'http', 'https', 'xh', 'aria2c', 'lynx', 'links', 'w3m', 'tftp', 'httpie', 'lftp', 'gh', 'scp', 'rsync'].map(
    (name): ProgramDecl => ({ names: [name], network: 'fetch' }),
  ),
  ...['nc', 'ncat', 'netcat', 'nc.traditional', 'nc.openbsd', 'socat', 'telnet', 'ssh'].map((name): ProgramDecl => ({ names: [name], network: 'both', ...(name === 'ssh' ? { runs: 'ssh' as const } : {}) })),
  {
    names: ['curl'],
    download: {
      output: ['-o', '--output'],
      directory: ['--output-dir'],
      remoteName: ['-O', '--remote-name'],
      files: {
        '-c': 'write', '--cookie-jar': 'write', '-D': 'write', '--dump-header': 'write', '--trace': 'write', '--trace-ascii': 'write',
        '-T': 'read', '--upload-file': 'read', '-K': 'read', '--config': 'read', '--cert': 'read', '--key': 'read', '-E': 'read', '--unix-socket': 'write',
      },
      data: ['-d', '--data', '--data-binary', '--data-ascii', '--data-raw', '--data-urlencode', '--json', '-F', '--form'],
      values: ['-H', '--header', '-X', '--request', '-u', '--user', '-A', '--user-agent', '-e', '--referer', '-m', '--max-time', '--connect-timeout', '-w', '--write-out', '-x', '--proxy', '-r', '--range', '--retry', '-y', '-Y', '-z', '--resolve', '--url', '--cacert', '--form-string'],
      stdin: ['-', '.'],
      clusters: 'getopt',
    },
  },
  {
    names: ['wget'],
    download: {
      output: ['-O', '--output-document'],
      directory: ['-P', '--directory-prefix'],
      remoteName: 'always',
      files: {
        '-o': 'write', '--output-file': 'write', '-a': 'write', '--append-output': 'write', '-P': 'tree', '--directory-prefix': 'tree',
        '--post-file': 'read', '--body-file': 'read', '-i': 'read', '--input-file': 'read', '--load-cookies': 'read',
      },
    },
  },
  { names: ['openssl'], network: 'both', networkSubcommands: ['s_client', 's_server', 's_time', 'ocsp'] },
  {
    names: ['nc', 'ncat', 'netcat', 'nc.traditional', 'nc.openbsd'],
    probeFlags: ['-z'],
    // `-e PROG` and `-c CMD` take the program to run (`-e/bin/sh` is `-e /bin/sh`)
    globals: { values: ['-e', '-c', '-p', '-s', '-w', '-i', '-q', '-x', '-X', '-I', '-O', '-T', '-m', '-P', '-g', '-G', '--exec', '--sh-exec', '--lua-exec'] },
  },
  ...['base64', 'base32', 'basenc', 'xxd', 'gunzip', 'gzip', 'zcat', 'bzip2', 'xz', 'uudecode', 'rev', 'tr', 'od', 'printf', 'openssl'].map(
    (name): ProgramDecl => ({ names: [name], decoder: true }),
  ),
  { names: ['sftp'], transfer: { uploads: ['put', 'mput', 'reput', 'append'], commandOptions: [], batchOptions: ['-b'] } },
  { names: ['ftp', 'pftp', 'ncftp', 'tnftp', 'busybox-ftp'], transfer: { uploads: ['put', 'mput', 'send', 'append', 'reput'], commandOptions: [], uploadOptions: ['-u'] } },
  { names: ['lftp'], transfer: { uploads: ['put', 'mput', 'reput', 'mirror -R', 'mirror --reverse'], commandOptions: ['-c', '-e'], batchOptions: ['-f'] } },
  { names: ['smbclient'], transfer: { uploads: ['put', 'mput', 'tar c'], commandOptions: ['-c', '--command'], uploadOptions: ['-Tx', '-TX'] } },
  { names: ['tftp'], transfer: { uploads: ['put'], commandOptions: ['-c'], uploadOptions: ['-p', '--put'] } },
  { names: ['ncftpput', 'curlftpfs', 'wput'], transfer: { uploads: [''], commandOptions: [] } },
  ...['dig', 'nslookup', 'host', 'drill', 'delv', 'kdig', 'ping', 'ping6', 'traceroute', 'traceroute6', 'tracepath', 'mtr', 'getent', 'resolvectl', 'whois', 'arping', 'fping', 'hping3', 'nping'].map(
    // the probes carry bytes of their own choosing too (`ping -p PATTERN`, `hping3 -E FILE`, `nping --data`)
    (name): ProgramDecl => ({ names: [name], resolves: true, ...(/ping|nping/.test(name) ? { network: 'send' as const } : {}) }),
  ),
];
