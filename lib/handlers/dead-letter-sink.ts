/** The dead-letter sink contract lives with the transport (`IggyServer` uses it too). */
export {
  IGGY_DEAD_LETTER_SINK,
  type DeadLetterSink,
  type FailedMessage,
} from '../consumer/dead-letter-sink.js';
