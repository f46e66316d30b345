/** The subcommands that work on saved model files, by name (main.ts dispatches to them). */
import { convert } from './convert.js';
import { evaluate } from './evaluate.js';
import { predict } from './predict.js';
import { summary } from './summary.js';

export const MODEL_COMMANDS: Record<string, (argv: readonly string[]) => Promise<unknown>> = { predict, evaluate, summary, convert };
