import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { changePasswordCodec } from '../../../../lib/protocol/commands/users/change-password.js';
import {
  createUserCodec,
  type CreateUserRequest,
} from '../../../../lib/protocol/commands/users/create-user.js';
import { deleteUserCodec } from '../../../../lib/protocol/commands/users/delete-user.js';
import { getUserCodec } from '../../../../lib/protocol/commands/users/get-user.js';
import { getUsersCodec } from '../../../../lib/protocol/commands/users/get-users.js';
import {
  readPermissions,
  rootPermissions,
  writePermissions,
  type Permissions,
} from '../../../../lib/protocol/commands/users/permissions.layout.js';
import { updatePermissionsCodec } from '../../../../lib/protocol/commands/users/update-permissions.js';
import {
  updateUserCodec,
  type UpdateUserRequest,
} from '../../../../lib/protocol/commands/users/update-user.js';
import {
  UserStatus,
  type UserDetails,
  type UserInfo,
} from '../../../../lib/protocol/commands/users/user.layout.js';
import { BinaryReader } from '../../../../lib/protocol/primitives/binary-reader.js';
import { BinaryWriter } from '../../../../lib/protocol/primitives/binary-writer.js';
import { ProtocolError } from '../../../../lib/protocol/protocol-error.js';
import { identifier, le, permissions, text, u32, u64 } from './fixtures.js';

const status = fc.constantFrom(UserStatus.Active, UserStatus.Inactive);
const userInfo: fc.Arbitrary<UserInfo> = fc.record({ id: u32, createdAt: u64, status, username: text() });
const userDetails: fc.Arbitrary<UserDetails> = fc
  .tuple(userInfo, fc.option(permissions))
  .map(([info, perms]) => ({ ...info, permissions: perms }));

const encodePermissions = (p: Permissions): Buffer => {
  const w = new BinaryWriter();
  writePermissions(w, p);
  return w.finish();
};
const decodePermissions = (b: Buffer): Permissions => {
  const r = new BinaryReader(b, 'permissions');
  const p = readPermissions(r);
  r.finish();
  return p;
};

const sample: Permissions = {
  global: { ...rootPermissions().global, manageServers: false, sendMessages: false },
  streams: new Map([
    [
      1,
      {
        manageStream: true,
        readStream: true,
        manageTopics: false,
        readTopics: true,
        pollMessages: true,
        sendMessages: false,
        topics: new Map([
          [5, { manageTopic: false, readTopic: true, pollMessages: true, sendMessages: true }],
          [6, { manageTopic: true, readTopic: true, pollMessages: false, sendMessages: false }],
        ]),
      },
    ],
    [
      2,
      {
        manageStream: false,
        readStream: false,
        manageTopics: false,
        readTopics: false,
        pollMessages: false,
        sendMessages: true,
        topics: new Map(),
      },
    ],
  ]),
};

/** permissions_global.rs to_bytes, written out by hand for `sample`. */
const sampleBytes = le.cat(
  Buffer.from([0, 1, 1, 1, 1, 1, 1, 1, 1, 0]), // 10 global flags
  le.u8(1), // has streams
  le.u32(1),
  Buffer.from([1, 1, 0, 1, 1, 0]), // stream 1 flags
  le.u8(1), // has topics
  le.u32(5),
  Buffer.from([0, 1, 1, 1]),
  le.u8(1), // another topic follows
  le.u32(6),
  Buffer.from([1, 1, 0, 0]),
  le.u8(0), // last topic
  le.u8(1), // another stream follows
  le.u32(2),
  Buffer.from([0, 0, 0, 0, 0, 1]),
  le.u8(0), // no topics
  le.u8(0), // last stream
);

describe('permissions layout', () => {
  it('writes global flags, then streams and topics with "another follows" markers', () => {
    expect(encodePermissions(sample).toString('hex')).toBe(sampleBytes.toString('hex'));
    expect(decodePermissions(sampleBytes)).toEqual(sample);
  });

  it('writes root permissions as ten 1s and no streams', () => {
    expect(encodePermissions(rootPermissions()).toString('hex')).toBe('0101010101010101010100');
  });

  it('rejects flags other than 0/1 and a stream list that runs past the end', () => {
    const bad = Buffer.from(sampleBytes);
    bad[0] = 2;
    expect(() => decodePermissions(bad)).toThrow(ProtocolError);
    expect(() => decodePermissions(sampleBytes.subarray(0, sampleBytes.length - 1))).toThrow(ProtocolError);
  });

  it('keeps the last entry of a repeated stream id, as the server does', () => {
    const stream = (flag: number): Buffer => le.cat(le.u32(9), Buffer.from([flag, 0, 0, 0, 0, 0]), le.u8(0));
    const bytes = le.cat(Buffer.alloc(10), le.u8(1), stream(0), le.u8(1), stream(1), le.u8(0));
    const p = decodePermissions(bytes);
    expect(p.streams.size).toBe(1);
    expect(p.streams.get(9)?.manageStream).toBe(true);
  });

  it('round-trips any permissions', () => {
    fc.assert(
      fc.property(permissions, (p) => {
        expect(decodePermissions(encodePermissions(p))).toEqual(p);
      }),
    );
  });
});

describe('GetUser', () => {
  const user: UserDetails = {
    id: 1,
    createdAt: 1_700_000_000_000_000n,
    status: UserStatus.Active,
    username: 'rustok',
    permissions: sample,
  };
  const infoBytes = le.cat(le.u32(1), le.u64(1_700_000_000_000_000n), le.u8(1), le.str8('rustok'));

  it('encodes the request as the user identifier', () => {
    expect(getUserCodec.encodeRequest({ userId: 'rustok' }).toString('hex')).toBe('0206727573746f6b');
    expect(getUserCodec.encodeRequest({ userId: 3 }).toString('hex')).toBe('010403000000');
    expect(() => getUserCodec.decodeRequest(Buffer.from('020072', 'hex'))).toThrow(ProtocolError);
  });

  it('encodes the response as user info, then u8 1 · u32 length · permissions', () => {
    const expected = le.cat(infoBytes, le.u8(1), le.u32(sampleBytes.length), sampleBytes);
    expect(getUserCodec.encodeResponse(user).toString('hex')).toBe(expected.toString('hex'));
    expect(getUserCodec.decodeResponse(expected)).toEqual(user);
  });

  it('writes "no permissions" as u32 0 like the server, and also reads a bare u8 0', () => {
    const none = { ...user, permissions: null };
    const expected = le.cat(infoBytes, le.u32(0));
    expect(getUserCodec.encodeResponse(none).toString('hex')).toBe(expected.toString('hex'));
    expect(getUserCodec.decodeResponse(expected)).toEqual(none);
    expect(getUserCodec.decodeResponse(le.cat(infoBytes, le.u8(0)))).toEqual(none);
    expect(() => getUserCodec.decodeResponse(le.cat(infoBytes, le.u8(0), le.u8(0)))).toThrow(ProtocolError);
    expect(() => getUserCodec.decodeResponse(le.cat(infoBytes, le.u8(0), Buffer.from([0, 1, 0])))).toThrow(
      ProtocolError,
    );
  });

  it('rejects a permissions length that disagrees with the block', () => {
    const long = le.cat(infoBytes, le.u8(1), le.u32(sampleBytes.length + 1), sampleBytes, le.u8(0));
    expect(() => getUserCodec.decodeResponse(long)).toThrow(ProtocolError);
    const short = le.cat(infoBytes, le.u8(1), le.u32(sampleBytes.length - 1), sampleBytes);
    expect(() => getUserCodec.decodeResponse(short)).toThrow(ProtocolError);
  });

  it('maps a missing user to an empty payload', () => {
    expect(getUserCodec.encodeResponse(null)).toHaveLength(0);
    expect(getUserCodec.decodeResponse(Buffer.alloc(0))).toBeNull();
  });

  it('round-trips requests and responses', () => {
    fc.assert(
      fc.property(identifier, userDetails, (userId, u) => {
        expect(getUserCodec.decodeRequest(getUserCodec.encodeRequest({ userId }))).toEqual({ userId });
        expect(getUserCodec.decodeResponse(getUserCodec.encodeResponse(u))).toEqual(u);
      }),
    );
  });
});

describe('GetUsers', () => {
  it('encodes the response as user infos back to back', () => {
    const users: UserInfo[] = [
      { id: 0, createdAt: 1n, status: UserStatus.Active, username: 'iggy' },
      { id: 1, createdAt: 2n, status: UserStatus.Inactive, username: 'bob' },
    ];
    const expected = le.cat(
      le.u32(0),
      le.u64(1n),
      le.u8(1),
      le.str8('iggy'),
      le.u32(1),
      le.u64(2n),
      le.u8(2),
      le.str8('bob'),
    );
    expect(getUsersCodec.encodeResponse(users).toString('hex')).toBe(expected.toString('hex'));
    expect(getUsersCodec.decodeResponse(expected)).toEqual(users);
    const badStatus = Buffer.from(expected);
    badStatus[12] = 3;
    expect(() => getUsersCodec.decodeResponse(badStatus)).toThrow(ProtocolError);
    expect(getUsersCodec.decodeResponse(Buffer.alloc(0))).toEqual([]);
  });

  it('round-trips responses', () => {
    fc.assert(
      fc.property(fc.array(userInfo, { maxLength: 5 }), (list) => {
        expect(getUsersCodec.decodeResponse(getUsersCodec.encodeResponse(list))).toEqual(list);
      }),
    );
  });
});

describe('CreateUser', () => {
  it('encodes username, password, status, then u8 0 or u8 1 · u32 length · permissions', () => {
    const bare: CreateUserRequest = { username: 'bob', password: 'secret', status: UserStatus.Active };
    expect(createUserCodec.encodeRequest(bare).toString('hex')).toBe(
      le.cat(le.str8('bob'), le.str8('secret'), le.u8(1), le.u8(0)).toString('hex'),
    );
    const withPerms = { ...bare, permissions: sample };
    const expected = le.cat(
      le.str8('bob'),
      le.str8('secret'),
      le.u8(1),
      le.u8(1),
      le.u32(sampleBytes.length),
      sampleBytes,
    );
    expect(createUserCodec.encodeRequest(withPerms).toString('hex')).toBe(expected.toString('hex'));
    expect(createUserCodec.decodeRequest(expected)).toEqual(withPerms);
    expect(() =>
      createUserCodec.decodeRequest(le.cat(le.str8('bob'), le.str8('secret'), le.u8(1), le.u8(2))),
    ).toThrow(ProtocolError);
  });

  it('round-trips requests and the user details response', () => {
    const req: fc.Arbitrary<CreateUserRequest> = fc.record(
      { username: text(1), password: text(1), status, permissions },
      { requiredKeys: ['username', 'password', 'status'] },
    );
    fc.assert(
      fc.property(req, userDetails, (r, u) => {
        expect(createUserCodec.decodeRequest(createUserCodec.encodeRequest(r))).toEqual(r);
        expect(createUserCodec.decodeResponse(createUserCodec.encodeResponse(u))).toEqual(u);
      }),
    );
  });
});

describe('UpdateUser', () => {
  it('encodes identifier, optional username and optional status behind 0/1 flags', () => {
    expect(updateUserCodec.encodeRequest({ userId: 1 }).toString('hex')).toBe('0104010000000000');
    const full: UpdateUserRequest = { userId: 1, username: 'neo', status: UserStatus.Inactive };
    const expected = le.cat(Buffer.from('010401000000', 'hex'), le.u8(1), le.str8('neo'), le.u8(1), le.u8(2));
    expect(updateUserCodec.encodeRequest(full).toString('hex')).toBe(expected.toString('hex'));
    expect(updateUserCodec.decodeRequest(expected)).toEqual(full);
    expect(() => updateUserCodec.decodeRequest(Buffer.from('01040100000002', 'hex'))).toThrow(ProtocolError);
    expect(updateUserCodec.encodeResponse()).toHaveLength(0);
  });

  it('round-trips requests', () => {
    const req: fc.Arbitrary<UpdateUserRequest> = fc.record(
      { userId: identifier, username: text(1), status },
      { requiredKeys: ['userId'] },
    );
    fc.assert(
      fc.property(req, (r) => {
        expect(updateUserCodec.decodeRequest(updateUserCodec.encodeRequest(r))).toEqual(r);
      }),
    );
  });
});

describe('UpdatePermissions', () => {
  it('encodes identifier then u8 0 or u8 1 · u32 length · permissions', () => {
    expect(updatePermissionsCodec.encodeRequest({ userId: 1 }).toString('hex')).toBe('01040100000000');
    const expected = le.cat(
      Buffer.from('010401000000', 'hex'),
      le.u8(1),
      le.u32(sampleBytes.length),
      sampleBytes,
    );
    expect(updatePermissionsCodec.encodeRequest({ userId: 1, permissions: sample }).toString('hex')).toBe(
      expected.toString('hex'),
    );
    expect(updatePermissionsCodec.decodeRequest(expected)).toEqual({ userId: 1, permissions: sample });
    expect(updatePermissionsCodec.encodeResponse()).toHaveLength(0);
  });

  it('round-trips requests', () => {
    fc.assert(
      fc.property(identifier, fc.option(permissions, { nil: undefined }), (userId, p) => {
        const req = p === undefined ? { userId } : { userId, permissions: p };
        expect(updatePermissionsCodec.decodeRequest(updatePermissionsCodec.encodeRequest(req))).toEqual(req);
      }),
    );
  });
});

describe('DeleteUser and ChangePassword', () => {
  it('encode their requests and have empty responses', () => {
    expect(deleteUserCodec.encodeRequest({ userId: 'rustok' }).toString('hex')).toBe('0206727573746f6b');
    expect(deleteUserCodec.encodeResponse()).toHaveLength(0);
    expect(changePasswordCodec.encodeResponse()).toHaveLength(0);
    expect(() => changePasswordCodec.decodeResponse(Buffer.from([0]))).toThrow(ProtocolError);
  });

  it('round-trip requests', () => {
    fc.assert(
      fc.property(identifier, text(1), text(1), (userId, currentPassword, newPassword) => {
        expect(deleteUserCodec.decodeRequest(deleteUserCodec.encodeRequest({ userId }))).toEqual({ userId });
        const req = { userId, currentPassword, newPassword };
        expect(changePasswordCodec.decodeRequest(changePasswordCodec.encodeRequest(req))).toEqual(req);
      }),
    );
  });
});
