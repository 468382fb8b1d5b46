import { Module, type DynamicModule } from '@nestjs/common';
import { PostgresShopDatabase } from './postgres-shop-database.js';
import { ShopDatabase, type SampleDatabaseConfig } from './shop-database.js';
import { SqliteShopDatabase } from './sqlite-shop-database.js';

/** Opens the shop's database, creates its `orders` table, and provides it as `ShopDatabase`. */
@Module({})
export class ShopDatabaseModule {
  static forRoot(config: SampleDatabaseConfig): DynamicModule {
    return {
      module: ShopDatabaseModule,
      providers: [
        {
          provide: ShopDatabase,
          useFactory: async (): Promise<ShopDatabase> => {
            const db =
              config.kind === 'postgres'
                ? new PostgresShopDatabase(config.url)
                : new SqliteShopDatabase(config.file);
            await db.migrate();
            return db;
          },
        },
      ],
      exports: [ShopDatabase],
    };
  }
}
