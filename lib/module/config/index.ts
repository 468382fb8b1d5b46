export { IggyConfigError } from './iggy-config.error.js';
export {
  IggyConfig,
  IggyDlqConfig,
  IggyEmbeddedConfig,
  IggyHandlersConfig,
  IggyRemoteConfig,
  IggyRequestReplyConfig,
  IggyRetentionConfig,
  IggyRetryConfig,
  IggyTopologyConfig,
} from './iggy-config.schema.js';
export { configProblems, validateIggyConfig } from './validate-iggy-config.js';
export { defaultRetentionOptions, resolveIggyOptions, topologyInputOf } from './resolve-iggy-options.js';
export { IGGY_ENV_VARS, iggyConfigFromEnv } from './iggy-config.env.js';
export { iggyConfigFromYaml, iggyConfigFromYamlText, type IggyYamlOptions } from './iggy-config.yaml.js';
export { IGGY_CONFIG_KEY, iggyConfigLoader, type IggyConfigLoaderOptions } from './iggy-config.loader.js';
