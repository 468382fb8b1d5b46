import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { IGGY_CONFIG_KEY, IggyModule, iggyConfigLoader, type IggyModuleOptions } from 'nestjs-iggy';
import { CompatHandlers, HandledModule, QuoteResponder } from './compat.handlers.js';
import { OrdersModule } from './orders.module.js';

@Module({
  imports: [
    // The embedded default; the run sets IGGY_TCP_PORT=0 so apps running side by side do not share 8090.
    ConfigModule.forRoot({ ignoreEnvFile: true, load: [iggyConfigLoader()] }),
    IggyModule.forRootAsync({
      imports: [ConfigModule],
      inject: [ConfigService],
      useFactory: (config: ConfigService): IggyModuleOptions => ({
        ...config.getOrThrow<IggyModuleOptions>(IGGY_CONFIG_KEY),
        streamName: 'compat',
      }),
    }),
    HandledModule,
    OrdersModule,
  ],
  controllers: [QuoteResponder],
  providers: [CompatHandlers],
})
export class AppModule {}
