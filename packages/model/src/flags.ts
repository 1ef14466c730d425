// Why each flag of a poll is set, in words: what a wait's reasons say about each entry it
// reports. Read only when someone asks why (the rules that set the flags are the poll functions
// of each kind: pipe_poll, eventfd_poll, tcp_poll, unix_poll, __ep_eventpoll_poll).
import { EPOLL_FLAGS, errnoName, formatEpollFlags } from '@epl/program';
import { length } from './bytes';
import { CounterObj, FileId, PipeObj, SEND_SHUTDOWN, SHUTDOWN_MASK, SockObj, State } from './state';
import { wmemOf } from './unix';

const { IN, PRI, OUT, ERR, HUP, RDHUP } = EPOLL_FLAGS;

/** One clause per flag set in `events`, for file `f` in state `s`. */
export function flagText(s: State, f: FileId, events: number): string {
  const fl = s.files[f];
  if (!fl) return formatEpollFlags(events);
  const o = s.objs[fl.obj];
  const parts: string[] = [];
  const say = (flag: number, text: string): void => {
    if (events & flag) parts.push(`${formatEpollFlags(flag)}: ${text}`);
  };
  switch (fl.kind) {
    case 'pipe-r': {
      const p = o as PipeObj;
      say(IN, `${length(p.data).lo} byte(s) in the pipe`);
      say(HUP, 'no write end is open');
      break;
    }
    case 'pipe-w': {
      const p = o as PipeObj;
      say(OUT, `${16 - p.bufs.length} of 16 page slots free`);
      say(ERR, 'no read end is open');
      break;
    }
    case 'eventfd': {
      const c = o as CounterObj;
      say(IN, `the counter is ${c.count}`);
      say(OUT, 'the counter is below 2^64-2');
      say(ERR, 'the counter is at 2^64-1');
      break;
    }
    case 'epoll':
      say(IN, 'an item on its ready list is ready');
      break;
    case 'socket':
      sockClauses(s, o as SockObj, say);
      break;
  }
  return parts.join('; ');
}

function sockClauses(s: State, so: SockObj, say: (flag: number, text: string) => void): void {
  if (so.proto === 'tcp' && so.state === 'LISTEN') {
    say(IN, `${so.acceptQueue.length} connection(s) wait to be accepted`);
    return;
  }
  const queued = length(so.rcv);
  const why = so.finRcvd ? 'the peer sent FIN' : so.proto === 'unix' && so.peer >= 0 && !s.objs[so.peer] ? 'the peer is closed' : 'its receive side is shut';
  say(
    IN,
    queued.hi > 0 ? `${queued.lo === queued.hi ? queued.lo : `${queued.lo}-${queued.hi}`} byte(s) to read` : `${why}: a read returns end of file at once`,
  );
  say(RDHUP, why);
  say(PRI, so.proto === 'tcp' ? 'an urgent byte waits (MSG_OOB)' : 'an out-of-band byte waits (MSG_OOB)');
  say(ERR, `a pending error, ${errnoName(so.err)}`);
  say(
    HUP,
    so.shutdown === SHUTDOWN_MASK ? 'shut down both ways' : so.proto === 'tcp' ? 'state CLOSE (never connected, or the connection is over)' : 'not connected',
  );
  if (so.shutdown & SEND_SHUTDOWN) say(OUT, 'its sending side is shut: a write fails at once, so it never blocks');
  else if (so.proto === 'unix') say(OUT, `its skbs waiting at the peer use ${wmemOf(s, so)} of the 53248 bytes (a quarter of the send buffer) it may`);
  else say(OUT, 'the send buffer has room');
}
