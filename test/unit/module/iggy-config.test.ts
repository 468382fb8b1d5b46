import 'reflect-metadata';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { IggyConfigError } from '../../../lib/module/config/iggy-config.error.js';
import { iggyConfigFromEnv } from '../../../lib/module/config/iggy-config.env.js';
import { iggyConfigLoader } from '../../../lib/module/config/iggy-config.loader.js';
import { iggyConfigFromYaml, iggyConfigFromYamlText } from '../../../lib/module/config/iggy-config.yaml.js';
import { resolveIggyOptions } from '../../../lib/module/config/resolve-iggy-options.js';
import { Registry } from 'prom-client';
import { configProblems, validateIggyConfig } from '../../../lib/module/config/validate-iggy-config.js';
import type { IggyModuleOptions } from '../../../lib/module/interfaces/iggy-module-options.interface.js';
import { days, gigabytes } from '../../../lib/topology/topology-config.js';
import { DEFAULT_STREAM_NAME } from '../../../lib/connectors/connector-config.js';
import { recordLogs } from './iggy-test-kit.js';

describe('validateIggyConfig', () => {
  it('accepts an empty config and a full one', () => {
    expect(configProblems({})).toEqual([]);
    const full: IggyModuleOptions = {
      mode: 'remote',
      serialization: 'msgpack',
      streamName: 'shop',
      topicName: 'events',
      partitions: 12,
      defaultTenantId: 'acme',
      embedded: {
        dataDir: '/tmp/x',
        tcpPort: null,
        httpPort: 0,
        persistent: false,
        host: '0.0.0.0',
        fsync: { kind: 'interval', ms: 5 },
      },
      remote: {
        addresses: ['iggy:8090', '[::1]:8091'],
        protocol: 'tcp',
        username: 'u',
        password: 'p',
        tlsEnabled: true,
      },
      retry: { attempts: 5, initialDelayMs: 10, maxDelayMs: 100, multiplier: 3, jitter: 0.5 },
      dlq: { enabled: false, topic: 'dead' },
      handlers: {
        concurrency: 2,
        idempotency: false,
        idempotencyWindow: 10,
        shutdownTimeoutMs: 100,
        pollIntervalMs: 25,
        batchSize: 500,
      },
      requestReply: { replyTopic: 'answers', timeoutMs: 50, partitions: 4 },
      topology: {
        ensure: false,
        replicationFactor: 1,
        systemTopic: 'sys',
        retention: { domainMaxAgeDays: 1 },
      },
      connector: { useValue: {} as never },
    };
    expect(configProblems(full)).toEqual([]);
  });

  it('fails with one error listing every bad field and why', () => {
    const bad = {
      mode: 'cloud',
      partitions: 0,
      streamName: '',
      remote: { addresses: ['localhost:8090', 'nohost', 'h:99999'], protocol: 'quic', tlsEnabled: 'yes' },
      embedded: { tcpPort: -1, fsync: { kind: 'sometimes' }, tcpPrt: 1 },
      retry: { jitter: 2 },
      handlers: 'fast',
      colour: 'blue',
    };
    let error: unknown;
    try {
      validateIggyConfig(bad as never);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(IggyConfigError);
    const problems = (error as IggyConfigError).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        "mode must be one of embedded, remote, got 'cloud'",
        'partitions must be an integer in 1..1000, got 0',
        "streamName must be a name of 1..255 bytes, got ''",
        "remote.addresses[1] must be host:port, got 'nohost'",
        "remote.addresses[2] must be host:port, got 'h:99999'",
        "remote.protocol must be one of tcp, http, got 'quic'",
        "remote.tlsEnabled must be true or false, got 'yes'",
        'embedded.tcpPort must be a port in 0..65535 or null (no listener), got -1',
        "embedded.fsync.kind must be one of always, interval, never, got 'sometimes'",
        'embedded.tcpPrt is not a known option',
        'retry.jitter must be a number in 0..1, got 2',
        'handlers must be an object',
        'colour is not a known option',
      ]),
    );
    expect(problems).toHaveLength(13);
    expect((error as Error).message).toMatch(
      /^invalid Iggy config: mode must be one of embedded, remote, got 'cloud'; .*; colour is not a known option; embedded.tcpPrt is not a known option$/,
    );
  });

  it('checks rules across fields once each field is fine', () => {
    expect(configProblems({ retry: { initialDelayMs: 500, maxDelayMs: 100 } })).toEqual([
      'retry.maxDelayMs must be ≥ retry.initialDelayMs (500), got 100',
    ]);
    expect(configProblems({ dlq: { topic: 'domain' } })[0]).toMatch(
      /dlq\.name 'domain' is also the domain topic's name/,
    );
    expect(configProblems({ requestReply: { replyTopic: 'system' } })).toEqual([
      "requestReply.replyTopic 'system' is also the system topic's name",
    ]);
  });

  it('checks the metrics and tracing options', () => {
    expect(configProblems({ metrics: true, tracing: false })).toEqual([]);
    expect(
      configProblems({ metrics: { registry: new Registry(), prefix: 'app_', maxEventTypes: 50 } }),
    ).toEqual([]);
    expect(configProblems({ metrics: 'yes' as never })).toEqual([
      "metrics must be true, false or an options object, got 'yes'",
    ]);
    expect(
      configProblems({ metrics: { registry: {}, prefix: '1x', maxEventTypes: 0, colour: 1 } as never }),
    ).toEqual([
      'metrics.colour: unknown option (expected registry, prefix, maxEventTypes)',
      'metrics.registry must be a prom-client Registry',
      "metrics.prefix must be a Prometheus metric name prefix, got '1x'",
      'metrics.maxEventTypes must be a positive integer, got 0',
    ]);
    expect(configProblems({ tracing: 'on' as never })[0]).toMatch(/^tracing /);
  });
});

describe('resolveIggyOptions', () => {
  it('fills every default in and maps retention to the topology', () => {
    const resolved = resolveIggyOptions({ partitions: 3, topology: { retention: { domainMaxAgeDays: 2 } } });
    expect(resolved).toMatchObject({
      mode: 'embedded',
      streamName: DEFAULT_STREAM_NAME,
      topicName: 'domain',
      partitions: 3,
      serialization: 'json',
      retry: { attempts: 3, initialDelayMs: 100, maxDelayMs: 5000, multiplier: 2, jitter: 0.2 },
      dlq: { enabled: true, topic: 'dlq' },
      handlers: { concurrency: 4, idempotency: true, shutdownTimeoutMs: 10_000 },
      requestReply: { replyTopic: 'replies', timeoutMs: 5000, partitions: 16 },
      topology: { ensure: true },
    });
    expect(resolved.topology.input).toEqual({
      partitions: 3,
      topics: {
        domain: { messageExpiryMicros: days(2), maxTopicSizeBytes: gigabytes(10) },
        system: { messageExpiryMicros: days(7) },
        dlq: { messageExpiryMicros: days(365) },
      },
    });
  });
});

describe('iggyConfigFromEnv', () => {
  it('maps every variable', () => {
    const config = iggyConfigFromEnv({
      IGGY_MODE: 'remote',
      IGGY_SERIALIZATION: 'msgpack',
      IGGY_STREAM: 'shop',
      IGGY_TOPIC: 'events',
      IGGY_PARTITIONS: '6',
      IGGY_DEFAULT_TENANT: 'acme',
      IGGY_ADDRESSES: ' a:1, b:2 ,',
      IGGY_PROTOCOL: 'tcp',
      IGGY_USERNAME: 'user',
      IGGY_PASSWORD: 'secret',
      IGGY_TOKEN: 'pat',
      IGGY_TLS: 'true',
      IGGY_TLS_DOMAIN: 'iggy.local',
      IGGY_TLS_CA_FILE: '/ca.pem',
      IGGY_REQUEST_TIMEOUT_MS: '1500',
      IGGY_OFFLINE_TIMEOUT_MS: 'infinity',
      IGGY_PUBLISH_LINGER_MS: '2',
      IGGY_PUBLISH_MAX_BATCH_MESSAGES: '500',
      IGGY_PUBLISH_MAX_BATCH_BYTES: '65536',
      IGGY_PUBLISH_MAX_IN_FLIGHT_MESSAGES: '10000',
      IGGY_PUBLISH_MAX_IN_FLIGHT_BYTES: '1048576',
      IGGY_PUBLISH_MAX_WAITING_MESSAGES: '5000',
      IGGY_PUBLISH_MAX_WAITING_BYTES: '2097152',
      IGGY_PUBLISH_BACKPRESSURE_TIMEOUT_MS: '0',
      IGGY_SHUTDOWN_TIMEOUT_MS: '2000',
      IGGY_DATA_DIR: '/data',
      IGGY_HOST: '0.0.0.0',
      IGGY_HTTP_HOST: '::1',
      IGGY_ALLOW_DEFAULT_ROOT_PASSWORD: 'yes',
      IGGY_TCP_PORT: 'none',
      IGGY_HTTP_PORT: '3001',
      IGGY_PERSISTENT: 'off',
      IGGY_ROOT_USERNAME: 'root',
      IGGY_ROOT_PASSWORD: 'rootpw',
      IGGY_REPLICATION_FACTOR: '1',
      IGGY_DLQ_TOPIC: 'dead',
      IGGY_RETRY_ATTEMPTS: '7',
      IGGY_RETRY_INITIAL_DELAY_MS: '20',
      IGGY_RETRY_MAX_DELAY_MS: '400',
      IGGY_HANDLER_CONCURRENCY: '4',
      IGGY_HANDLER_SHUTDOWN_TIMEOUT_MS: '3000',
      IGGY_HANDLER_POLL_INTERVAL_MS: '25',
      IGGY_REPLY_TOPIC: 'answers',
      IGGY_REQUEST_REPLY_TIMEOUT_MS: '250',
      UNRELATED: 'x',
    });
    expect(config).toEqual({
      mode: 'remote',
      serialization: 'msgpack',
      streamName: 'shop',
      topicName: 'events',
      partitions: 6,
      defaultTenantId: 'acme',
      remote: {
        addresses: ['a:1', 'b:2'],
        protocol: 'tcp',
        username: 'user',
        password: 'secret',
        token: 'pat',
        tlsEnabled: true,
        tlsDomain: 'iggy.local',
        tlsCaFile: '/ca.pem',
        requestTimeoutMs: 1500,
        offlineTimeoutMs: Infinity,
      },
      publish: {
        lingerMs: 2,
        maxBatchMessages: 500,
        maxBatchBytes: 65536,
        maxInFlightMessages: 10000,
        maxInFlightBytes: 1048576,
        maxWaitingMessages: 5000,
        maxWaitingBytes: 2097152,
        backpressureTimeoutMs: 0,
      },
      shutdownTimeoutMs: 2000,
      embedded: {
        dataDir: '/data',
        host: '0.0.0.0',
        httpHost: '::1',
        allowDefaultRootPassword: true,
        tcpPort: null,
        httpPort: 3001,
        persistent: false,
        rootUsername: 'root',
        rootPassword: 'rootpw',
      },
      topology: { replicationFactor: 1 },
      dlq: { topic: 'dead' },
      retry: { attempts: 7, initialDelayMs: 20, maxDelayMs: 400 },
      handlers: { concurrency: 4, shutdownTimeoutMs: 3000, pollIntervalMs: 25 },
      requestReply: { replyTopic: 'answers', timeoutMs: 250 },
    });
    expect(configProblems(config)).toEqual([]);
  });

  it('checks the publish settings, naming the option', () => {
    expect(
      configProblems({
        publish: { maxInFlightMessages: 0, lingerMs: -1, backpressureTimeoutMs: 1.5, bogus: 1 },
        remote: { offlineTimeoutMs: -5 },
        shutdownTimeoutMs: 'soon',
      }),
    ).toEqual([
      "shutdownTimeoutMs must be an integer ≥ 0, got 'soon'",
      'remote.offlineTimeoutMs must be an integer ≥ 0 (ms) or Infinity, got -5',
      'publish.lingerMs must be an integer in 0..60000, got -1',
      'publish.maxInFlightMessages must be an integer ≥ 1, got 0',
      'publish.backpressureTimeoutMs must be an integer ≥ 0, got 1.5',
      'publish.bogus is not a known option',
    ]);
    const yaml = iggyConfigFromYamlText(
      'events:\n  iggy:\n    shutdown_timeout_ms: 1000\n    publish: { linger_ms: 1, max_in_flight_bytes: 4096 }\n',
    );
    expect(yaml).toEqual({ shutdownTimeoutMs: 1000, publish: { lingerMs: 1, maxInFlightBytes: 4096 } });
    expect(resolveIggyOptions(yaml).publish).toMatchObject({
      lingerMs: 1,
      maxInFlightBytes: 4096,
      maxInFlightMessages: 20_000,
      backpressureTimeoutMs: 30_000,
    });
  });

  it('leaves unset and empty variables out', () => {
    expect(iggyConfigFromEnv({ IGGY_MODE: '', IGGY_STREAM: '  ' })).toEqual({});
  });

  it('fails with one IggyConfigError naming each bad variable', () => {
    const read = () =>
      iggyConfigFromEnv({ IGGY_TCP_PORT: 'abc', IGGY_TLS: 'maybe', IGGY_PARTITIONS: 'many' });
    expect(read).toThrow(IggyConfigError);
    expect(read).toThrow(
      'invalid Iggy config (environment variables): ' +
        "IGGY_PARTITIONS must be an integer in 1..1000, got 'many'; " +
        "IGGY_TCP_PORT must be a port in 0..65535 or null (no listener), got 'abc'; " +
        "IGGY_TLS must be true or false, got 'maybe'",
    );
    expect(() => iggyConfigFromEnv({ IGGY_ADDRESSES: 'a:1,nope' })).toThrow(
      "IGGY_ADDRESSES[1] must be host:port, got 'nope'",
    );
  });

  it('warns once about an IGGY_* variable it does not read, with the one likely meant', () => {
    const logs = recordLogs();
    const env = { IGGY_PARTITION: '4', IGGY_STREAM_NAME: 'shop', IGGY_COLOUR: 'blue', OTHER: 'x' };
    expect(iggyConfigFromEnv(env)).toEqual({});
    iggyConfigFromEnv(env);
    expect(logs.lines.filter((line) => line.startsWith('warn'))).toEqual([
      'warn IGGY_PARTITION is not a variable nestjs-iggy reads (ignored): did you mean IGGY_PARTITIONS?',
      'warn IGGY_STREAM_NAME is not a variable nestjs-iggy reads (ignored): did you mean IGGY_STREAM?',
      'warn IGGY_COLOUR is not a variable nestjs-iggy reads (ignored)',
    ]);
  });
});

const SEED_YAML = `
server:
  port: 8080
events:
  iggy:
    mode: remote
    serialization: msgpack
    topology:
      stream_name: rustok
      domain_partitions: 16
      replication_factor: 1
    embedded:
      data_dir: ./data/iggy
      tcp_port: 8090
      http_port: ~
    remote:
      addresses: ["iggy-1:8090", "iggy-2:8090"]
      protocol: tcp
      username: svc
      password: secret
      tls_enabled: true
    retention:
      domain_max_age_days: 30
      domain_max_size_gb: 10
      system_max_age_days: 7
      dlq_max_age_days: 365
`;

describe('iggyConfigFromYaml', () => {
  it("maps the seed's events.iggy block (snake_case) to the options", () => {
    const dir = mkdtempSync(join(tmpdir(), 'iggy-yaml-'));
    const file = join(dir, 'app.yaml');
    writeFileSync(file, SEED_YAML);
    expect(iggyConfigFromYaml(file)).toEqual({
      mode: 'remote',
      serialization: 'msgpack',
      streamName: 'rustok',
      partitions: 16,
      topology: {
        replicationFactor: 1,
        retention: { domainMaxAgeDays: 30, domainMaxSizeGb: 10, systemMaxAgeDays: 7, dlqMaxAgeDays: 365 },
      },
      embedded: { dataDir: './data/iggy', tcpPort: 8090, httpPort: null },
      remote: {
        addresses: ['iggy-1:8090', 'iggy-2:8090'],
        protocol: 'tcp',
        username: 'svc',
        password: 'secret',
        tlsEnabled: true,
      },
    });
  });

  it('maps the extra keys and turns per-topic numbers into bigints', () => {
    const config = iggyConfigFromYamlText(
      [
        'iggy:',
        '  topology: { topic_name: events, dlq_topic: dead, system_topic: sys, topics: { domain: { message_expiry_micros: 1000 } } }',
        '  request_reply: { reply_topic: answers }',
        '  default_tenant_id: acme',
      ].join('\n'),
      { key: 'iggy' },
    );
    expect(config).toEqual({
      topicName: 'events',
      dlq: { topic: 'dead' },
      topology: { systemTopic: 'sys', topics: { domain: { messageExpiryMicros: 1000n } } },
      requestReply: { replyTopic: 'answers' },
      defaultTenantId: 'acme',
    });
  });

  it('names the file in a validation error, and reports unknown keys', () => {
    const dir = mkdtempSync(join(tmpdir(), 'iggy-yaml-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'events:\n  iggy:\n    mode: cloud\n    embedded: { tcp_prt: 1 }\n');
    expect(() => iggyConfigFromYaml(file)).toThrow(
      `invalid Iggy config (${file}): events.iggy.mode must be one of embedded, remote, got 'cloud'; events.iggy.embedded.tcp_prt is not a known option`,
    );
    expect(() => iggyConfigFromYamlText('other: 1')).toThrow(
      "'events.iggy' must be an object, got undefined",
    );
    expect(() => iggyConfigFromYamlText('a: [')).toThrow(/not valid YAML/);
    expect(() => iggyConfigFromYaml(join(dir, 'missing.yaml'))).toThrow(/cannot read the file/);
  });
  it('names the keys as written in the file, also those the seed block moves, and both keys of a rule across fields', () => {
    const problemsOf = (text: string): readonly string[] => {
      try {
        iggyConfigFromYamlText(text, { key: 'app.iggy' });
      } catch (err) {
        return (err as IggyConfigError).problems;
      }
      throw new Error('no IggyConfigError');
    };
    expect(
      problemsOf(
        [
          'app:',
          '  iggy:',
          '    topology: { domain_partitions: 0, dlq_topic: 5 }',
          '    remote: { addresses: [x], tls_enabled: maybe }',
          '    retry: { max_attempts: 3 }',
          '    retention: { domain_max_age_dayz: 3 }',
        ].join('\n'),
      ),
    ).toEqual([
      'app.iggy.topology.domain_partitions must be an integer in 1..1000, got 0',
      "app.iggy.remote.addresses[0] must be host:port, got 'x'",
      "app.iggy.remote.tls_enabled must be true or false, got 'maybe'",
      'app.iggy.topology.dlq_topic must be a name of 1..255 bytes, got 5',
      'app.iggy.retry.max_attempts is not a known option',
      'app.iggy.retention.domain_max_age_dayz is not a known option',
    ]);
    expect(problemsOf('app:\n  iggy:\n    retry: { initial_delay_ms: 100, max_delay_ms: 10 }\n')).toEqual([
      'app.iggy.retry.max_delay_ms must be ≥ app.iggy.retry.initial_delay_ms (100), got 10',
    ]);
  });
});

describe('iggyConfigLoader', () => {
  it('merges YAML and env (env wins) under the iggy key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'iggy-yaml-'));
    const file = join(dir, 'app.yaml');
    writeFileSync(file, SEED_YAML);
    const loaded = iggyConfigLoader({
      yamlFile: file,
      env: { IGGY_PASSWORD: 'from-env', IGGY_PARTITIONS: '2' },
    })();
    expect(loaded.iggy.remote).toMatchObject({
      username: 'svc',
      password: 'from-env',
      addresses: ['iggy-1:8090', 'iggy-2:8090'],
    });
    expect(loaded.iggy.partitions).toBe(2);
    expect(iggyConfigLoader({ env: false })()).toEqual({ iggy: {} });
  });
});
