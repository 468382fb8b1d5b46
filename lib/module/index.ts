export { IggyModule } from './iggy.module.js';
export { IGGY_CLIENT, IGGY_CONNECTOR, IGGY_EVENT_HANDLER_METADATA, IGGY_OPTIONS } from './iggy.constants.js';
export {
  IGGY_ASYNC_OPTIONS_TYPE,
  IGGY_MODULE_OPTIONS,
  IGGY_OPTIONS_TYPE,
  type IggyOptionsFactory,
} from './iggy.module-definition.js';
export * from './config/index.js';
export * from './interfaces/index.js';
