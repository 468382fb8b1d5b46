import type { IggyModuleOptions } from '../interfaces/iggy-module-options.interface.js';
import { iggyConfigFromEnv } from './iggy-config.env.js';
import { iggyConfigFromYaml } from './iggy-config.yaml.js';

/** The `@nestjs/config` key `iggyConfigLoader` puts the config under. */
export const IGGY_CONFIG_KEY = 'iggy';

export interface IggyConfigLoaderOptions {
  /** A YAML file with an `events.iggy` block (see `iggyConfigFromYaml`). */
  yamlFile?: string;
  /** The block's dotted path in that file (default `events.iggy`). */
  yamlKey?: string;
  /** Variables read by `iggyConfigFromEnv` (default `process.env`); `false` = none. Env wins over YAML. */
  env?: Record<string, string | undefined> | false;
}

/**
 * A `@nestjs/config` config factory (no import of `@nestjs/config` needed here):
 *
 * ```ts
 * ConfigModule.forRoot({ load: [iggyConfigLoader({ yamlFile: 'config/app.yaml' })] });
 * IggyModule.forRootAsync({
 *   imports: [ConfigModule],
 *   inject: [ConfigService],
 *   useFactory: (config: ConfigService) => config.getOrThrow<IggyModuleOptions>('iggy'),
 * });
 * ```
 */
export function iggyConfigLoader(
  options: IggyConfigLoaderOptions = {},
): () => { [IGGY_CONFIG_KEY]: IggyModuleOptions } {
  return () => {
    const fromYaml = options.yamlFile
      ? iggyConfigFromYaml(options.yamlFile, options.yamlKey ? { key: options.yamlKey } : {})
      : {};
    const fromEnv = options.env === false ? {} : iggyConfigFromEnv(options.env ?? process.env);
    return { [IGGY_CONFIG_KEY]: mergeDeep(fromYaml, fromEnv) as IggyModuleOptions };
  };
}

/** `over` on top of `base`, objects merged key by key (lists and other values replaced). */
export function mergeDeep(base: object, over: object): object {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    out[key] = isPlain(prev) && isPlain(value) ? mergeDeep(prev, value) : value;
  }
  return out;
}

function isPlain(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
