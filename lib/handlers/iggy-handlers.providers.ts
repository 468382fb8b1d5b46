import type { Provider } from '@nestjs/common';
import { ConsumerGroupManager } from './consumer-group.manager.js';
import { HandlerExplorer } from './handler-explorer.js';

/** The handler providers the module registers (it must also import Nest's `DiscoveryModule`). */
export const IGGY_HANDLER_PROVIDERS: Provider[] = [HandlerExplorer, ConsumerGroupManager];
