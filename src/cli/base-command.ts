import { Command, Flags, Errors, type Interfaces } from '@oclif/core';
import chalk from 'chalk';
import { loadConfig, type LoadedConfig } from '../lib/config/index.js';
import { batchFailure, runBatch } from '../lib/client/batch.js';
import { HubClient } from '../lib/client/hub-client.js';
import { outcomeRows, renderOutcomes, type OutcomeRow } from '../ui/batch-table.js';
import { EXIT_CODES, exitCodeFor, isHubError, type HubError } from '../lib/errors.js';
import { resolveSocketPath } from '../lib/paths.js';
import { configureColor } from '../ui/color.js';
import { holdDashValues } from './dash-values.js';
import { confirm } from '../ui/confirm.js';
import { terminalWidth } from '../ui/table.js';

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof HubCommand)['baseFlags'] & T['flags']>;
export type BaseArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

/**
 * Every command: --config/-c, --socket, --debug; errors a user can fix print one line (plus the hint) and
 * exit with the code from lib/errors.ts; a stack only with --debug.
 */
export abstract class HubCommand<T extends typeof Command> extends Command {
  static override baseFlags = {
    config: Flags.string({
      char: 'c',
      summary: 'Config file (hub.yml, hub.json, hub.config.js/ts, .hubrc, or a JupyterHub jupyterhub_config.py). Default: searched in the current directory.',
      helpGroup: 'GLOBAL',
    }),
    socket: Flags.string({
      summary: 'Control socket of the running hub. Default: .hub/hub.sock beside the database, or $HUB_SOCKET.',
      helpGroup: 'GLOBAL',
    }),
    debug: Flags.boolean({ summary: 'Show stack traces and debug output.', helpGroup: 'GLOBAL' }),
  };

  protected flags!: BaseFlags<T>;
  protected args!: BaseArgs<T>;
  /** Every positional argument, for the commands that take a list (`static strict = false`). */
  protected argList: string[] = [];
  private hubClient: HubClient | undefined;
  private loadedConfig: LoadedConfig | undefined;

  public override async init(): Promise<void> {
    await super.init();
    configureColor(process.stdout.isTTY === true, process.env);
    const { argv: rest, held } = holdDashValues(this.argv, this.ctor.flags ?? {});
    const { args, argv, flags } = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (super.ctor as typeof HubCommand).baseFlags,
      enableJsonFlag: this.ctor.enableJsonFlag,
      args: this.ctor.args,
      strict: this.ctor.strict,
    }, rest);
    this.flags = { ...flags, ...held } as BaseFlags<T>;
    this.args = args as BaseArgs<T>;
    this.argList = argv.filter((a): a is string => typeof a === 'string');
  }

  /** Tables are cut to the terminal's width; off a terminal (pipes, files) nothing is cut. */
  protected width(): number | undefined {
    return terminalWidth();
  }

  /** Asks on a terminal, needs --answer-yes (alias --force) elsewhere; with the flag, asks nothing. */
  protected async confirmAction(question: string): Promise<void> {
    const flags = this.flags as { 'answer-yes'?: boolean };
    await confirm(question, { answerYes: flags['answer-yes'] === true });
  }

  /**
   * Ends a batch: with --json the per-target rows are printed even when some failed, so a script sees which;
   * then the failure (if any) sets the exit code.
   */
  protected finishBatch<R>(rows: R, failure: HubError | undefined): R {
    if (!failure) return rows;
    if (this.jsonEnabled()) this.logJson(rows);
    throw failure;
  }

  /**
   * The same action for every user named (arguments, --file, stdin), a few at a time, after `question` (when given)
   * is answered yes; one outcome row each, and the command fails with the first failure's code after trying all.
   */
  protected async eachUser(names: string[], o: { question?: string; act: (client: HubClient, name: string) => Promise<unknown>; done: string; what: string }): Promise<OutcomeRow[]> {
    const client = await this.client();
    if (o.question !== undefined) await this.confirmAction(o.question);
    const results = await runBatch(names, async (name) => {
      await o.act(client, name);
      return o.done;
    });
    const rows = outcomeRows(results, (n) => n);
    this.log(renderOutcomes('USER', rows, this.width()));
    return this.finishBatch(rows, batchFailure(results, o.what));
  }

  protected async hubConfig(overrides: string[] = []): Promise<LoadedConfig> {
    if (!this.loadedConfig) {
      this.loadedConfig = await loadConfig({ path: this.flags.config, cwd: process.cwd(), env: process.env, overrides });
    }
    return this.loadedConfig;
  }

  protected async socketPath(): Promise<string> {
    // A socket given by flag or env needs no config file at all: `hub users ls --socket /run/hub/hub.sock`.
    if (this.flags.socket || process.env.HUB_SOCKET) {
      return resolveSocketPath({ flag: this.flags.socket, env: process.env, dbUrl: '', cwd: process.cwd() }).path;
    }
    const loaded = await this.hubConfig();
    return resolveSocketPath({ configured: loaded.config.Hub.control_socket, dbUrl: loaded.config.JupyterHub.db_url, cwd: process.cwd(), env: process.env }).path;
  }

  protected async client(): Promise<HubClient> {
    if (!this.hubClient) {
      this.hubClient = new HubClient(await this.socketPath());
      this.hubClient.onVersionWarning = (msg) => this.warn(msg);
    }
    return this.hubClient;
  }

  protected override async finally(err: Error | undefined): Promise<unknown> {
    this.hubClient?.close();
    return super.finally(err);
  }

  protected override async catch(err: Error & { exitCode?: number }): Promise<unknown> {
    if (err instanceof Errors.ExitError) throw err;
    // Straight to stderr: oclif's logToStderr is silent under --json, and a failing script must still say why.
    const say = (line: string): void => void process.stderr.write(`${line}\n`);
    if (isHubError(err)) {
      say(`${chalk.red('Error:')} ${err.message}`);
      if (err.hint) say(`  ${err.hint}`);
      if (this.flags?.debug && err.stack) say(err.stack);
      return this.exit(exitCodeFor(err));
    }
    // oclif's own usage errors (unknown flag, missing argument) keep oclif's message and exit code 2.
    if (err instanceof Errors.CLIError) throw err;
    say(`${chalk.red('Error:')} ${err.message}`);
    if (this.flags?.debug) say(err.stack ?? '');
    else say('  This is a bug in hub; run again with --debug for the stack trace and report it.');
    return this.exit(EXIT_CODES.INTERNAL);
  }
}

/** Flags of the destructive commands: a prompt on a terminal, otherwise an explicit yes. */
export const confirmFlags = {
  'answer-yes': Flags.boolean({ char: 'y', summary: 'Answer yes to every question (needed when not on a terminal).', aliases: ['force'] }),
};
