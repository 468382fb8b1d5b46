/** Iggy binary command codes (server 0.7.0). */
export const CommandCode = {
  Ping: 1,
  GetStats: 10,
  GetSnapshot: 11,
  GetClusterMetadata: 12,
  GetMe: 20,
  GetClient: 21,
  GetClients: 22,
  GetUser: 31,
  GetUsers: 32,
  CreateUser: 33,
  DeleteUser: 34,
  UpdateUser: 35,
  UpdatePermissions: 36,
  ChangePassword: 37,
  LoginUser: 38,
  LogoutUser: 39,
  GetAccessTokens: 41,
  CreateAccessToken: 42,
  DeleteAccessToken: 43,
  LoginWithAccessToken: 44,
  PollMessages: 100,
  SendMessages: 101,
  FlushUnsavedBuffer: 102,
  GetOffset: 120,
  StoreOffset: 121,
  DeleteConsumerOffset: 122,
  GetStream: 200,
  GetStreams: 201,
  CreateStream: 202,
  DeleteStream: 203,
  UpdateStream: 204,
  PurgeStream: 205,
  GetTopic: 300,
  GetTopics: 301,
  CreateTopic: 302,
  DeleteTopic: 303,
  UpdateTopic: 304,
  PurgeTopic: 305,
  CreatePartitions: 402,
  DeletePartitions: 403,
  DeleteSegments: 503,
  GetConsumerGroup: 600,
  GetConsumerGroups: 601,
  CreateConsumerGroup: 602,
  DeleteConsumerGroup: 603,
  JoinConsumerGroup: 604,
  LeaveConsumerGroup: 605,
} as const;

export type CommandName = keyof typeof CommandCode;
export type CommandCodeValue = (typeof CommandCode)[CommandName];

const namesByCode = new Map<number, CommandName>(
  (Object.entries(CommandCode) as [CommandName, number][]).map(([name, code]) => [code, name]),
);

/** The command's name for a code, or undefined when the code is not an Iggy 0.7 command. */
export function commandName(code: number): CommandName | undefined {
  return namesByCode.get(code);
}
