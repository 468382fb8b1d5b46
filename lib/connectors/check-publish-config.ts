import type { PublishConfig } from './connector-config.js';
import { ConnectorError } from './connector-error.js';

/** Throws `ConnectorError('Config')` naming the first bad `publish.*` setting. */
export function checkPublishConfig(config: PublishConfig): void {
  const check = (name: keyof PublishConfig, ok: boolean, expected: string) => {
    if (!ok) {
      throw new ConnectorError('Config', `publish.${name} must be ${expected}, got ${String(config[name])}`);
    }
  };
  const positiveInt = (v: number) => Number.isInteger(v) && v >= 1;
  check('lingerMs', Number.isFinite(config.lingerMs) && config.lingerMs >= 0, 'a number ≥ 0');
  check('maxBatchMessages', positiveInt(config.maxBatchMessages), 'an integer ≥ 1');
  check('maxBatchBytes', positiveInt(config.maxBatchBytes), 'an integer ≥ 1');
  check('maxInFlightMessages', positiveInt(config.maxInFlightMessages), 'an integer ≥ 1');
  check('maxInFlightBytes', positiveInt(config.maxInFlightBytes), 'an integer ≥ 1');
  check('maxWaitingMessages', positiveInt(config.maxWaitingMessages), 'an integer ≥ 1');
  check('maxWaitingBytes', positiveInt(config.maxWaitingBytes), 'an integer ≥ 1');
  check(
    'backpressureTimeoutMs',
    config.backpressureTimeoutMs >= 0 && !Number.isNaN(config.backpressureTimeoutMs),
    'a number ≥ 0',
  );
}
