import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Broker } from '../../../lib/broker/broker.js';
import type { BrokerConfig, BrokerLogger } from '../../../lib/broker/broker-config.js';
import { UserStatus } from '../../../lib/broker/types.js';
import { expectCode, login, tempDir } from './broker-kit.js';

/** A logger that keeps every line, to check what is (and is not) logged. */
function recordingLogger(): BrokerLogger & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (message: string) => void lines.push(`${level} ${message}`);
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

describe('Broker: root credentials', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let broker: Broker | null = null;
  const open = async (config: BrokerConfig = {}): Promise<Broker> => {
    await broker?.close();
    broker = await Broker.open({ dataDir: dir, retentionIntervalMs: 0, ...config });
    return broker;
  };

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(async () => {
    await broker?.close();
    broker = null;
    await cleanup();
  });

  it('without a configured password, the first boot generates one, never logged; later starts keep it', async () => {
    const logger = recordingLogger();
    const first = await open({ logger });
    const generated = first.generatedRootPassword!;
    expect(generated).toMatch(/^[A-Za-z0-9_-]{20,40}$/);
    expect(logger.lines.join('\n')).not.toContain(generated);
    expect(logger.lines.join('\n')).toMatch(/created the root user 'iggy' with a random password/);
    await login(first, 'iggy', generated);
    await expectCode(login(first, 'iggy', 'iggy'), 'InvalidCredentials');
    expect(await first.rootHasDefaultPassword()).toBe(false);

    const again = await open();
    expect(again.generatedRootPassword).toBeNull();
    await login(again, 'iggy', generated);
    // In-process sessions need no password at all.
    expect((await again.openSession().getMe()).userId).toBe(0);
  });

  it('a configured password that changed since the last start is applied, and said so (without it)', async () => {
    await open({ rootPassword: 'first-secret' });
    const logger = recordingLogger();
    const second = await open({ rootPassword: 'second-secret', logger });
    await login(second, 'iggy', 'second-secret');
    await expectCode(login(second, 'iggy', 'first-secret'), 'InvalidCredentials');
    const warnings = logger.lines.filter((l) => l.startsWith('warn'));
    expect(warnings).toEqual([
      expect.stringMatching(/root user's password was replaced by the configured one/),
    ]);
    expect(logger.lines.join('\n')).not.toContain('second-secret');

    // The same password again: nothing to apply, nothing logged.
    const quiet = recordingLogger();
    await open({ rootPassword: 'second-secret', logger: quiet });
    expect(quiet.lines.filter((l) => l.startsWith('warn'))).toEqual([]);
  });

  it('the configuration wins over a password changed over the protocol; no configuration keeps it', async () => {
    const b = await open({ rootPassword: 'configured' });
    await (
      await login(b, 'iggy', 'configured')
    ).changePassword({ userId: 0, currentPassword: 'configured', newPassword: 'changed-live' });
    await login(await open(), 'iggy', 'changed-live');
    const reset = await open({ rootPassword: 'configured' });
    await login(reset, 'iggy', 'configured');
    await expectCode(login(reset, 'iggy', 'changed-live'), 'InvalidCredentials');
  });

  it('a configured root name is applied too; one taken by another user refuses the start', async () => {
    const b = await open({ rootUsername: 'admin', rootPassword: 'secret' });
    await (
      await login(b, 'admin', 'secret')
    ).createUser({ username: 'taken', password: 'taken-pw', status: UserStatus.Active });
    const renamed = await open({ rootUsername: 'boss', rootPassword: 'secret' });
    expect((await (await login(renamed, 'boss', 'secret')).getMe()).userId).toBe(0);
    await renamed.close();
    broker = null;
    await expect(open({ rootUsername: 'taken', rootPassword: 'secret' })).rejects.toThrow(
      /cannot rename the root user 'boss' to 'taken'/,
    );
  });

  it('tells whether root still has the default password', async () => {
    expect(await (await open({ rootPassword: 'iggy' })).rootHasDefaultPassword()).toBe(true);
    expect(await (await open({ rootPassword: 'not-the-default' })).rootHasDefaultPassword()).toBe(false);
  });
});
