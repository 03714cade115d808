import chalk from 'chalk';

/** Colour only on a terminal, never with NO_COLOR (https://no-color.org), whatever chalk guessed. */
export function configureColor(isTTY: boolean, env: NodeJS.ProcessEnv): void {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') chalk.level = 0;
  else if (!isTTY) chalk.level = 0;
}
