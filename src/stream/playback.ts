/**
 * Exotel's side of the bot's audio: a queue of PCM and marks played in call time. A mark is answered once the
 * audio queued before it has played; `clear` drops the audio not yet played (docs/exotel-protocol.md §6.3) and
 * answers the marks behind it at once, so a bot that waits for them is not left hanging [INF].
 */
type Item = { kind: 'audio'; pcm: Buffer } | { kind: 'mark'; name: string };

type Played = { pcm: Buffer; marks: string[] };

export type Playback = {
  enqueueAudio: (pcm: Buffer) => void;
  enqueueMark: (name: string) => void;
  /** Play up to `bytes` of audio; marks reached on the way (or at once, with nothing before them) are returned. */
  advance: (bytes: number) => Played;
  clear: () => { droppedBytes: number; marks: string[] };
  /** Audio bytes queued and not yet played. */
  pending: () => number;
};

export function createPlayback(): Playback {
  const queue: Item[] = [];
  let pendingBytes = 0;
  return {
    enqueueAudio: (pcm) => {
      if (pcm.length === 0) return;
      queue.push({ kind: 'audio', pcm });
      pendingBytes += pcm.length;
    },
    enqueueMark: (name) => queue.push({ kind: 'mark', name }),
    advance: (bytes) => {
      const played: Buffer[] = [];
      const marks: string[] = [];
      let budget = bytes;
      while (queue.length > 0) {
        const head = queue[0];
        if (head === undefined) break;
        if (head.kind === 'mark') {
          marks.push(head.name);
          queue.shift();
          continue;
        }
        if (budget === 0) break;
        const take = Math.min(budget, head.pcm.length);
        played.push(head.pcm.subarray(0, take));
        budget -= take;
        pendingBytes -= take;
        if (take === head.pcm.length) queue.shift();
        else head.pcm = head.pcm.subarray(take);
      }
      return { pcm: Buffer.concat(played), marks };
    },
    clear: () => {
      const marks = queue.flatMap((item) => (item.kind === 'mark' ? [item.name] : []));
      const droppedBytes = pendingBytes;
      queue.length = 0;
      pendingBytes = 0;
      return { droppedBytes, marks };
    },
    pending: () => pendingBytes,
  };
}
