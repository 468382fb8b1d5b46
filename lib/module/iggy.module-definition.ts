import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { IggyModuleOptions } from './interfaces/iggy-module-options.interface.js';

/**
 * `IggyModule.forRoot(options)` / `forRootAsync({ imports, inject, useFactory | useClass | useExisting })`,
 * plus `isGlobal`: global by default, so feature modules inject what it provides without importing it.
 */
export const {
  ConfigurableModuleClass: IggyConfigurableModule,
  MODULE_OPTIONS_TOKEN: IGGY_MODULE_OPTIONS,
  OPTIONS_TYPE: IGGY_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: IGGY_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<IggyModuleOptions>({ moduleName: 'Iggy' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createIggyOptions')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();

/** What `forRootAsync`'s `useClass`/`useExisting` class implements. */
export interface IggyOptionsFactory {
  createIggyOptions(): IggyModuleOptions | Promise<IggyModuleOptions>;
}
