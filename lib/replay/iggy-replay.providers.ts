import type { Provider } from '@nestjs/common';
import { ReplayManager } from './replay.manager.js';

/** The replay providers the module registers. */
export const IGGY_REPLAY_PROVIDERS: Provider[] = [ReplayManager];
