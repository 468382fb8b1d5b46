import type { TopicState } from '../metadata/catalog.js';

/** Told the partition id after messages were appended to it (they are readable by then). */
export type AppendListener = (partitionId: number) => void;

/**
 * In-process notification of appends, per topic, so a subscriber in this process can wait for data
 * instead of polling on a timer. Keyed by the topic's state object: a deleted topic takes its listeners
 * with it. Costs one map lookup per append when nobody listens. Never reachable from the network.
 */
export class AppendSignals {
  private readonly listeners = new WeakMap<TopicState, Set<AppendListener>>();

  /** Adds `listener` to the topic; returns a function that removes it (idempotent). */
  listen(topic: TopicState, listener: AppendListener): () => void {
    let set = this.listeners.get(topic);
    if (!set) {
      set = new Set();
      this.listeners.set(topic, set);
    }
    const own = set;
    const entry: AppendListener = (partitionId) => listener(partitionId);
    own.add(entry);
    return () => {
      own.delete(entry);
      if (own.size === 0 && this.listeners.get(topic) === own) this.listeners.delete(topic);
    };
  }

  /** Tells the topic's listeners that `partitionId` grew; a listener that throws is ignored. */
  appended(topic: TopicState, partitionId: number): void {
    const set = this.listeners.get(topic);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(partitionId);
      } catch {
        // A listener's failure is its own; the append has succeeded.
      }
    }
  }
}
