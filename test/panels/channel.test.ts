// The ready handshake: nothing is posted before the page listens, only the newest state waits,
// and a page that went away (hidden) gets the state again after its next `ready`.
import { describe, expect, it } from 'vitest';
import { PanelChannel } from '../../src/panels/channel';

type Message =
  { type: 'snapshot'; n: number } | { type: 'unavailable'; message: string } | { type: 'notice' };

function channel() {
  const posted: Message[] = [];
  const ch = new PanelChannel<Message>(async (message) => {
    posted.push(message);
    return true;
  });
  return { ch, posted };
}

describe('PanelChannel', () => {
  it('queues until ready, keeping only the newest state message', () => {
    const { ch, posted } = channel();
    ch.send({ type: 'snapshot', n: 1 });
    ch.send({ type: 'notice' });
    ch.send({ type: 'unavailable', message: 'gone' });
    ch.send({ type: 'snapshot', n: 2 });
    expect(posted).toEqual([]);
    expect(ch.pending).toEqual([{ type: 'notice' }, { type: 'snapshot', n: 2 }]);
    ch.markReady();
    expect(posted).toEqual([{ type: 'notice' }, { type: 'snapshot', n: 2 }]);
    expect(ch.pending).toEqual([]);
  });

  it('posts directly once ready, and queues again after a reset', () => {
    const { ch, posted } = channel();
    ch.markReady();
    ch.send({ type: 'snapshot', n: 1 });
    expect(posted).toHaveLength(1);
    ch.reset();
    expect(ch.isReady).toBe(false);
    ch.send({ type: 'snapshot', n: 2 });
    expect(posted).toHaveLength(1);
    ch.markReady();
    expect(posted.at(-1)).toEqual({ type: 'snapshot', n: 2 });
  });
});
