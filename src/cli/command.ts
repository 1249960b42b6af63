// The shape every skiff command module exports: parse argv, call a library, return an exit code.

export interface GlobalOptions {
  /** Engine root (`--root` or SKIFF_ROOT); commands that do not use the engine ignore it. */
  root: string;
}

export interface CommandModule {
  run(argv: string[], globals: GlobalOptions): Promise<number>;
}
