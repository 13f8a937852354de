import type { ProgramDecl } from '../types.js';

const always = { when: 'always' } as const;

/** Programs that change the machine itself: users, firewall, services, kernel, mounts, packages, schedules. */
export const SYSTEM_DECLS: ProgramDecl[] = [
  ...[
    // users and groups
    'useradd', 'adduser', 'usermod', 'userdel', 'deluser', 'groupadd', 'addgroup', 'groupmod', 'groupdel', 'delgroup', 'gpasswd', 'chpasswd', 'chage', 'vipw', 'vigr',
    'visudo', 'newusers', 'pwck', 'grpck', 'chsh', 'chfn', 'passwd', 'pam-auth-update', 'authconfig',
    // firewall and network configuration
    'iptables', 'ip6tables', 'iptables-restore', 'ip6tables-restore', 'iptables-legacy', 'nft', 'ufw', 'firewall-cmd', 'ebtables', 'arptables', 'ipset', 'pfctl', 
    'ifup', 'ifdown', 'netplan', 'brctl', 
    // security modules and auditing
    'setenforce', 'setsebool', 'semanage', 'aa-disable', 'aa-complain', 'apparmor_parser', 'auditctl', 'augenrules', 'aureport', 'setcap', 'chcon', 'restorecon',
    // kernel, boot, devices, mounts
    'modprobe', 'insmod', 'rmmod', 'depmod', 'kexec', 'grub-install', 'update-grub', 'grub-mkconfig', 'efibootmgr', 'update-initramfs', 'dracut', 'umount',
    'swapon', 'swapoff', 'losetup', 'cryptsetup', 'fdisk', 'sfdisk', 'parted', 'gdisk', 'sgdisk', 'mkswap', 'hdparm', 'blkdiscard', 'lvremove', 'vgremove', 'pvremove',
    'lvcreate', 'vgcreate', 'pvcreate', 'mdadm', 'zpool', 'zfs', 'btrfs', 'tune2fs', 'e2fsck', 'fsck', 'xfs_repair', 'debugfs',
    // power and init
    'reboot', 'shutdown', 'halt', 'poweroff', 'runlevel', 'systemd-sysusers', 'update-rc.d', 'chkconfig', 'rc-update', 'sv',
    // time, locale, hostname
    'ntpdate', 
    // packages of the system (language package managers install into the project)
    'dpkg-reconfigure', 'update-alternatives', 'alternatives', 'ldconfig', 'chroot', 'unshare', 'nsenter', 'pivot_root', 'capsh',
  ].map((name): ProgramDecl => ({ names: [name], privilege: always })),
  // init changes the machine only with a runlevel (`init 0`, `telinit q`): as a word after an undeclared program it is usually a subcommand (`swag init -g main.go`)
  { names: ['init', 'telinit'], privilege: { when: 'options', options: [], operand: /^[0-6SsQqUuAaBbCc]$/ } },
  { names: ['systemctl'], privilege: { when: 'subcommands', subcommands: ['start', 'stop', 'restart', 'reload', 'try-restart', 'reload-or-restart', 'enable', 'disable', 'reenable', 'mask', 'unmask', 'kill', 'isolate', 'daemon-reload', 'daemon-reexec', 'set-default', 'edit', 'link', 'preset', 'preset-all', 'revert', 'set-property', 'reset-failed', 'poweroff', 'reboot', 'halt', 'suspend', 'hibernate', 'rescue', 'emergency', 'default', 'switch-root', 'soft-reboot', 'kexec', 'clean', 'freeze', 'thaw', 'hybrid-sleep', 'add-wants', 'add-requires', 'set-environment', 'import-environment'], unless: ['--user'] } },
  { names: ['service'], privilege: { when: 'subcommands', subcommands: ['start', 'stop', 'restart', 'reload', 'force-reload', 'try-restart', 'condrestart', 'enable', 'disable'] } },
  { names: ['mount'], privilege: { when: 'options', options: ['-a', '--all', '-o', '--bind', '--rbind', '--move', '-t'], operand: /^[^-]/ } },
  { names: ['ifconfig'], privilege: { when: 'subcommands', subcommands: ['up', 'down', 'inet', 'inet6', 'netmask', 'mtu', 'add', 'del', 'hw', 'promisc', 'broadcast', 'alias', '-alias'] } },
  { names: ['ip'], privilege: { when: 'subcommands', subcommands: ['add', 'del', 'delete', 'set', 'change', 'replace', 'flush', 'append', 'prepend'] } },
  { names: ['route'], privilege: { when: 'subcommands', subcommands: ['add', 'del', 'delete', 'flush', 'change'] } },
  { names: ['tc'], privilege: { when: 'subcommands', subcommands: ['add', 'del', 'delete', 'change', 'replace', 'link'] } },
  { names: ['nmcli'], privilege: { when: 'subcommands', subcommands: ['up', 'down', 'add', 'modify', 'mod', 'delete', 'del', 'edit', 'reload', 'connect', 'disconnect', 'on', 'off'] } },
  { names: ['wg'], privilege: { when: 'subcommands', subcommands: ['set', 'setconf', 'addconf', 'syncconf'] } },
  { names: ['wg-quick'], privilege: { when: 'subcommands', subcommands: ['up', 'down', 'save', 'strip'] } },
  ...['timedatectl', 'hostnamectl', 'localectl'].map((name): ProgramDecl => ({ names: [name], privilege: { when: 'subcommands', subcommands: ['set-time', 'set-timezone', 'set-ntp', 'set-local-rtc', 'hostname', 'set-hostname', 'set-icon-name', 'set-chassis', 'set-deployment', 'set-location', 'set-locale', 'set-keymap', 'set-x11-keymap'] } })),
  { names: ['hwclock'], privilege: { when: 'options', options: ['-w', '--systohc', '-s', '--hctosys', '--set', '--adjust'] } },
  { names: ['dpkg'], privilege: { when: 'options', options: ['-i', '--install', '-r', '--remove', '-P', '--purge', '--configure', '--unpack', '--set-selections', '--clear-selections', '--add-architecture'] } },
  { names: ['rpm'], privilege: { when: 'options', options: ['-U', '-F', '-e', '--install', '--upgrade', '--erase', '--freshen', '--import', '--rebuilddb', '--initdb'] } },
  { names: ['sysctl'], privilege: { when: 'options', options: ['-w', '--write', '-p', '--load', '--system'], operand: /^[\w./-]+=/ } },
  { names: ['launchctl'], privilege: { when: 'subcommands', subcommands: ['load', 'unload', 'bootstrap', 'bootout', 'enable', 'disable', 'kickstart', 'kill', 'remove', 'submit', 'setenv', 'config'] } },
  { names: ['apt', 'apt-get', 'aptitude'], privilege: { when: 'subcommands', subcommands: ['install', 'remove', 'purge', 'autoremove', 'upgrade', 'full-upgrade', 'dist-upgrade', 'reinstall', 'build-dep', 'update', 'clean', 'autoclean', 'markauto', 'hold', 'unhold', 'edit-sources'] } },
  { names: ['add-apt-repository', 'apt-key', 'apt-mark'], privilege: always },
  { names: ['dnf', 'yum', 'microdnf', 'tdnf'], privilege: { when: 'subcommands', subcommands: ['install', 'remove', 'erase', 'upgrade', 'update', 'downgrade', 'reinstall', 'autoremove', 'swap', 'distro-sync', 'group', 'groupinstall', 'groupremove', 'module', 'config-manager', 'copr', 'makecache', 'clean', 'localinstall'] } },
  { names: ['zypper'], privilege: { when: 'subcommands', subcommands: ['install', 'in', 'remove', 'rm', 'update', 'up', 'dist-upgrade', 'dup', 'patch', 'addrepo', 'ar', 'removerepo', 'rr', 'refresh', 'ref'] } },
  { names: ['pacman'], privilege: { when: 'options', options: ['-S', '-R', '-U', '-Syu', '-Syy', '-Sy', '-Rns', '-Rs', '--sync', '--remove', '--upgrade', '-D', '--database'] } },
  { names: ['apk'], privilege: { when: 'subcommands', subcommands: ['add', 'del', 'upgrade', 'update', 'fix', 'cache'] } },
  { names: ['snap'], privilege: { when: 'subcommands', subcommands: ['install', 'remove', 'refresh', 'revert', 'enable', 'disable', 'set', 'connect', 'disconnect'] } },
  { names: ['flatpak'], privilege: { when: 'subcommands', subcommands: ['install', 'uninstall', 'update', 'remote-add', 'remote-delete', 'override'], unless: ['--user'] } },
  { names: ['port'], privilege: { when: 'subcommands', subcommands: ['install', 'uninstall', 'upgrade', 'selfupdate', 'activate', 'deactivate'] } },
  { names: ['softwareupdate', 'installer', 'spctl', 'csrutil', 'dscl', 'sysadminctl', 'pmset', 'scutil', 'nvram', 'tmutil', 'fdesetup', 'diskutil', 'networksetup', 'systemsetup', 'kextload', 'kextunload', 'profiles'], privilege: always },
  { names: ['journalctl'], privilege: { when: 'options', options: ['--vacuum-time', '--vacuum-size', '--vacuum-files', '--rotate', '--flush', '--relinquish-var', '--setup-keys'] } },
  { names: ['pip', 'pip3'], privilege: { when: 'options', options: ['--break-system-packages', '--root'] } },
  { names: ['sshd', 'update-ca-certificates', 'update-ca-trust', 'trust', 'locale-gen'], privilege: always },
  { names: ['date'], privilege: { when: 'options', options: ['-s', '--set'] } },
  { names: ['hostname'], privilege: { when: 'options', options: ['-F', '--file', '-b', '--boot'], operand: /^[^-]/ } },
  { names: ['dmesg'], privilege: { when: 'options', options: ['-C', '-c', '--clear', '--read-clear', '-n', '--console-level', '-D', '-E'] } },
  { names: ['resolvectl'], privilege: { when: 'subcommands', subcommands: ['dns', 'domain', 'default-route', 'llmnr', 'mdns', 'dnssec', 'dnsovertls', 'nta', 'revert', 'flush-caches', 'reset-statistics', 'reset-server-features'] } },
  { names: ['kill'], privilege: { when: 'options', options: [], operand: /^-1$/ } },
  { names: ['loginctl'], privilege: { when: 'subcommands', subcommands: ['enable-linger', 'disable-linger', 'terminate-session', 'terminate-user', 'kill-session', 'kill-user', 'lock-sessions'] } },
];

/** Programs that make code run later or at every login: a change that outlives the session. */
export const SCHEDULERS = {
  /** Always schedules (`at`, `batch`). */
  always: ['at', 'batch', 'anacron', 'incrontab'],
  /** Schedules unless only listing (`crontab -l`). */
  crontab: ['crontab', 'fcrontab'],
  /** `systemd-run` with a timer option, or any transient unit that outlives the call. */
  timerOptions: ['--on-calendar', '--on-active', '--on-boot', '--on-startup', '--on-unit-active', '--on-unit-inactive', '--on-clock-change', '--on-timezone-change', '--timer-property'],
} as const;
