/** An error a person can act on. `exitCode` follows the CLI convention: 1 failure, 2 usage. */
export class HarnessError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 1,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class UsageError extends HarnessError {
  constructor(message: string) {
    super(message, 2);
  }
}

export class ConfigError extends HarnessError {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`Invalid config ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`, 1);
  }
}
