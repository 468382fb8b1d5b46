/*
 * `nestjs-iggy/connector`: the connector layer without Nest — connectors, envelopes and serializers,
 * topology — for services and scripts that publish or consume without a Nest application.
 */
export * from './connectors/index.js';
export * from './events/index.js';
export * from './topology/index.js';
