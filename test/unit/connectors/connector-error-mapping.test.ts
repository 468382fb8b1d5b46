import { describe, expect, it } from '@jest/globals';
import { BrokerError } from '../../../lib/broker/broker-error.js';
import { DataDirLockedError } from '../../../lib/broker/storage/data-dir-lock.js';
import { StorageError } from '../../../lib/broker/storage/storage-error.js';
import { IggyClientError } from '../../../lib/client/errors.js';
import { IggyError } from '../../../lib/protocol/iggy-error.js';
import { toConnectorError, type OperationKind } from '../../../lib/connectors/connector-error-mapping.js';
import { ConnectorError, type ConnectorErrorKind } from '../../../lib/connectors/connector-error.js';
import { IggyErrorCode } from '../../../lib/protocol/codes/error-codes.js';
import { ProtocolError } from '../../../lib/protocol/protocol-error.js';

const C = IggyErrorCode;

describe('toConnectorError', () => {
  const cases: [string, unknown, OperationKind, ConnectorErrorKind, number | undefined][] = [
    ['wrong password', new IggyError(C.InvalidCredentials, 'LoginUser'), 'Connection', 'Auth', 42],
    ['unauthenticated', new IggyError(C.Unauthenticated, 'SendMessages'), 'Publish', 'Auth', 40],
    ['no right', new BrokerError(C.Unauthorized, 'no'), 'Subscribe', 'Auth', 41],
    [
      'bad token',
      new IggyError(C.InvalidPersonalAccessToken, 'LoginWithAccessToken'),
      'Connection',
      'Auth',
      53,
    ],
    ['unknown token', new IggyError(C.ResourceNotFound, 'LoginWithAccessToken'), 'Connection', 'Auth', 20],
    [
      'missing stream on send',
      new IggyError(C.StreamNameNotFound, 'SendMessages'),
      'Publish',
      'Publish',
      1010,
    ],
    ['missing topic on poll', new BrokerError(C.TopicNameNotFound, 'x'), 'Receive', 'Receive', 2011],
    ['other server error', new IggyError(C.InvalidOffset, 'StoreOffset'), 'Iggy', 'Iggy', 4100],
    ['stale client', new BrokerError(C.StaleClient, 'gone'), 'Receive', 'Connection', 30],
    ['timeout', new IggyClientError('Timeout', 'slow'), 'Publish', 'Timeout', undefined],
    ['refused', new IggyClientError('Connection', 'refused'), 'Connection', 'Connection', undefined],
    ['lost', new IggyClientError('Disconnected', 'lost'), 'Subscribe', 'Connection', undefined],
    ['closed client', new IggyClientError('Closed', 'closed'), 'Publish', 'NotConnected', undefined],
    ['bad options', new IggyClientError('Config', 'port'), 'Connection', 'Config', undefined],
    [
      'encode failure',
      new IggyClientError('Protocol', 'x', {
        cause: new ProtocolError('InvalidValue', 'empty', C.EmptyMessagePayload),
      }),
      'Publish',
      'Publish',
      C.EmptyMessagePayload,
    ],
    ['codec error', new ProtocolError('InvalidValue', 'bad'), 'Publish', 'Publish', C.InvalidFormat],
    ['storage', new StorageError('Corrupt', 'bad bytes'), 'Receive', 'Receive', C.CannotReadMessage],
    [
      'held data directory',
      new DataDirLockedError('/d/.lock', { pid: 1, hostname: 'h', startedAt: 'now' }),
      'Connection',
      'Config',
      undefined,
    ],
    ['anything else', new Error('boom'), 'Topology', 'Topology', undefined],
    ['a string', 'boom', 'Iggy', 'Iggy', undefined],
  ];

  it.each(cases)('%s', (_, err, operation, kind, code) => {
    const mapped = toConnectorError(err, operation, 'doing it');
    expect(mapped).toBeInstanceOf(ConnectorError);
    expect(mapped.kind).toBe(kind);
    expect(mapped.code).toBe(code);
    if (code !== undefined) expect(mapped.codeName).not.toMatch(/^Unknown/);
    expect(mapped.message).toMatch(/^doing it: /);
    expect(mapped.cause).toBe(err);
  });

  it('passes a ConnectorError through', () => {
    const err = new ConnectorError('Config', 'x');
    expect(toConnectorError(err, 'Publish', 'y')).toBe(err);
  });
});
