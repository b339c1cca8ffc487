// A small IRC client for the tests (node:net only): it registers a nick, sits in a channel,
// records who joins, parts, quits and renames there (with the instant the test saw it), and
// sends DMs. Every wait is bounded in time, the line buffer in size, the record in length.
import { connect, type Socket } from 'node:net';

export interface IrcEvent {
  /** Epoch ms when this client read the line. */
  at: number;
  kind: 'join' | 'part' | 'quit' | 'nick' | 'kick';
  nick: string;
  channel?: string;
  /** NICK: the new nick; QUIT/PART/KICK: the reason. */
  detail?: string;
}

export interface IrcMessage {
  at: number;
  from: string;
  target: string;
  command: 'PRIVMSG' | 'NOTICE';
  text: string;
}

export interface ParsedLine {
  prefix?: string;
  command: string;
  params: string[];
}

const MAX_BUFFER = 64 * 1024;
const MAX_RECORD = 10_000;

/** Parses one IRC line (RFC 1459/2812: `[:prefix] COMMAND params [:trailing]`). */
export function parseIrcLine(line: string): ParsedLine | undefined {
  let rest = line.replace(/\r?\n?$/, '');
  if (!rest) return undefined;
  let prefix: string | undefined;
  if (rest.startsWith(':')) {
    const space = rest.indexOf(' ');
    if (space < 0) return undefined;
    prefix = rest.slice(1, space);
    rest = rest.slice(space + 1);
  }
  const params: string[] = [];
  while (rest.length > 0) {
    if (rest.startsWith(':')) {
      params.push(rest.slice(1));
      break;
    }
    const space = rest.indexOf(' ');
    if (space < 0) {
      params.push(rest);
      break;
    }
    if (space > 0) params.push(rest.slice(0, space));
    rest = rest.slice(space + 1);
  }
  const command = params.shift();
  return command ? { prefix, command: command.toUpperCase(), params } : undefined;
}

/** The nick of a `nick!user@host` prefix. */
export function nickOf(prefix: string | undefined): string {
  return (prefix ?? '').split('!')[0] ?? '';
}

type Waiter = { match: (l: ParsedLine) => boolean; resolve: (l: ParsedLine) => void };

export class IrcClient {
  readonly events: IrcEvent[] = [];
  readonly messages: IrcMessage[] = [];
  private readonly socket: Socket;
  private buffer = '';
  private waiters: Waiter[] = [];
  private closed = false;
  readonly nick: string;

  private constructor(socket: Socket, nick: string) {
    this.socket = socket;
    this.nick = nick;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('close', () => {
      this.closed = true;
    });
    socket.on('error', () => {
      this.closed = true;
    });
  }

  /** Connects and registers `nick`; resolves on the server's welcome (001). */
  static async connect(options: { host: string; port?: number; nick: string; timeoutMs?: number }): Promise<IrcClient> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const socket = connect({ host: options.host, port: options.port ?? 6667 });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`IRC: no TCP connection to ${options.host}:${options.port ?? 6667} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`IRC: cannot connect to ${options.host}:${options.port ?? 6667}: ${error.message}`));
      });
    });
    const client = new IrcClient(socket, options.nick);
    const welcome = client.next((l) => l.command === '001' || l.command === '433' || l.command === 'ERROR', timeoutMs, 'registration');
    client.send(`NICK ${options.nick}`);
    client.send(`USER ${options.nick.slice(0, 9)} 0 * :openclaw-failover test user`);
    const answer = await welcome;
    if (answer.command !== '001') {
      client.close();
      throw new Error(`IRC: registration of ${options.nick} refused: ${answer.command} ${answer.params.join(' ')}`);
    }
    return client;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  send(line: string): void {
    if (/[\r\n]/.test(line)) throw new Error('IRC: a line must not contain CR or LF');
    if (!this.closed) this.socket.write(`${line}\r\n`);
  }

  /** Resolves with the next line matching `match`, or rejects after `timeoutMs`. */
  next(match: (l: ParsedLine) => boolean, timeoutMs: number, what = 'a line'): Promise<ParsedLine> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`IRC (${this.nick}): timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** JOINs `channel` and resolves with its member list (the NAMES reply that follows). */
  async join(channel: string, timeoutMs = 10_000): Promise<string[]> {
    const names = this.collectNames(channel, timeoutMs);
    this.send(`JOIN ${channel}`);
    return names;
  }

  /** The nicks in `channel` now, from a fresh NAMES (prefixes like @ and + removed). */
  async names(channel: string, timeoutMs = 10_000): Promise<string[]> {
    const names = this.collectNames(channel, timeoutMs);
    this.send(`NAMES ${channel}`);
    return names;
  }

  /** Whether `nick` is connected to the server at all (WHOIS answers 311, or 401 for no such nick). */
  async online(nick: string, timeoutMs = 10_000): Promise<boolean> {
    const answer = this.next((l) => (l.command === '311' || l.command === '401') && l.params[1]?.toLowerCase() === nick.toLowerCase(), timeoutMs, `WHOIS ${nick}`);
    this.send(`WHOIS ${nick}`);
    return (await answer).command === '311';
  }

  privmsg(target: string, text: string): void {
    this.send(`PRIVMSG ${target} :${text}`);
  }

  /** Waits for a PRIVMSG or NOTICE from `from` (to this client) whose text matches `pattern`. */
  async waitForMessage(from: string, pattern: RegExp, timeoutMs: number): Promise<IrcMessage> {
    const seen = this.messages.find((m) => m.from.toLowerCase() === from.toLowerCase() && pattern.test(m.text));
    if (seen) return seen;
    const line = await this.next(
      (l) => (l.command === 'PRIVMSG' || l.command === 'NOTICE') && nickOf(l.prefix).toLowerCase() === from.toLowerCase() && pattern.test(l.params[1] ?? ''),
      timeoutMs,
      `a message from ${from} matching ${pattern}`,
    );
    return this.messages.findLast((m) => m.from.toLowerCase() === from.toLowerCase() && m.text === line.params[1]) ?? {
      at: Date.now(), from, target: line.params[0] ?? '', command: line.command as 'PRIVMSG', text: line.params[1] ?? '',
    };
  }

  /** Waits until an event for `nick` of one of `kinds` is recorded at or after `since`. */
  async waitForEvent(nick: string, kinds: Array<IrcEvent['kind']>, since: number, timeoutMs: number): Promise<IrcEvent> {
    const find = () => this.events.find((e) => e.at >= since && kinds.includes(e.kind) && e.nick.toLowerCase() === nick.toLowerCase());
    const already = find();
    if (already) return already;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const remaining = deadline - Date.now();
      await this.next((l) => ['JOIN', 'PART', 'QUIT', 'NICK', 'KICK'].includes(l.command), Math.max(1, remaining), `${kinds.join('/')} of ${nick}`).catch(() => undefined);
      const found = find();
      if (found) return found;
      if (this.closed) break;
    }
    throw new Error(`IRC (${this.nick}): no ${kinds.join('/')} of ${nick} within ${timeoutMs} ms`);
  }

  /** Events about `nick` (case-insensitive), in order. */
  eventsOf(nick: string): IrcEvent[] {
    return this.events.filter((e) => e.nick.toLowerCase() === nick.toLowerCase());
  }

  async quit(reason = 'bye'): Promise<void> {
    if (this.closed) return;
    this.send(`QUIT :${reason}`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.socket.destroy();
        resolve();
      }, 2_000);
      this.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private collectNames(channel: string, timeoutMs: number): Promise<string[]> {
    const names: string[] = [];
    const lower = channel.toLowerCase();
    return this.next((l) => {
      if (l.command === '353' && l.params[2]?.toLowerCase() === lower) {
        names.push(...(l.params[3] ?? '').split(' ').filter(Boolean).map((n) => n.replace(/^[~&@%+]+/, '')));
      }
      return l.command === '366' && l.params[1]?.toLowerCase() === lower;
    }, timeoutMs, `NAMES ${channel}`).then(() => names);
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    if (this.buffer.length > MAX_BUFFER) this.buffer = this.buffer.slice(-MAX_BUFFER);
    let newline = this.buffer.indexOf('\n');
    // Bounded: each pass consumes one line of a buffer of at most MAX_BUFFER characters.
    while (newline >= 0) {
      const raw = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + 1);
      const line = parseIrcLine(raw);
      if (line) this.onLine(line);
      newline = this.buffer.indexOf('\n');
    }
  }

  private onLine(line: ParsedLine): void {
    const at = Date.now();
    const nick = nickOf(line.prefix);
    if (line.command === 'PING') this.send(`PONG :${line.params[0] ?? ''}`);
    const record = (event: IrcEvent) => {
      if (this.events.length < MAX_RECORD) this.events.push(event);
    };
    if (line.command === 'JOIN') record({ at, kind: 'join', nick, channel: line.params[0] });
    if (line.command === 'PART') record({ at, kind: 'part', nick, channel: line.params[0], detail: line.params[1] });
    if (line.command === 'QUIT') record({ at, kind: 'quit', nick, detail: line.params[0] });
    if (line.command === 'NICK') record({ at, kind: 'nick', nick, detail: line.params[0] });
    if (line.command === 'KICK') record({ at, kind: 'kick', nick: line.params[1] ?? '', channel: line.params[0], detail: line.params[2] });
    if ((line.command === 'PRIVMSG' || line.command === 'NOTICE') && nick && this.messages.length < MAX_RECORD) {
      this.messages.push({ at, from: nick, target: line.params[0] ?? '', command: line.command, text: line.params[1] ?? '' });
    }
    for (const waiter of [...this.waiters]) {
      if (waiter.match(line)) {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.resolve(line);
      }
    }
  }
}

/**
 * OpenClaw's answer to a DM from an unknown IRC user (no model key needed). IRC messages are one
 * line each, so the multi-line reply arrives as several; its first line is enough.
 */
export const PAIRING_REPLY = /access not configured|pairing code/i;

export interface DmResult {
  /** The nick that got the reply. */
  nick: string;
  /** When the DM that was answered was sent. */
  sentAt: number;
  repliedAt: number;
  reply: string;
  /** DMs sent, including those refused with "no such nick" while the bot was away. */
  attempts: number;
}

let nickCounter = 0;
/** A nick not used before by this process (OpenClaw answers only a NEW pairing request). */
export function freshNick(prefix = 'u'): string {
  nickCounter += 1;
  return `${prefix}${process.pid % 10_000}x${nickCounter}${Math.random().toString(36).slice(2, 5)}`;
}

/**
 * DMs `bot` until it answers with the pairing reply, bounded by `timeoutMs`. While the bot is
 * not on the server the DM is refused (401 "no such nick") and simply sent again `everyMs`
 * later from the same nick, which costs the bot nothing. A DM the bot received but did not
 * answer within `replyMs` is repeated from a fresh nick (a pending request is answered once).
 */
export async function dmUntilAnswered(options: {
  host: string;
  port?: number;
  bot: string;
  timeoutMs: number;
  everyMs?: number;
  replyMs?: number;
}): Promise<DmResult> {
  const deadline = Date.now() + options.timeoutMs;
  const everyMs = options.everyMs ?? 250;
  const replyMs = options.replyMs ?? 5_000;
  let nick = freshNick();
  const client = await IrcClient.connect({ host: options.host, port: options.port, nick, timeoutMs: Math.min(options.timeoutMs, 10_000) });
  let attempts = 0;
  try {
    const maxAttempts = Math.ceil(options.timeoutMs / everyMs) + 1;
    while (attempts < maxAttempts && Date.now() < deadline && client.isOpen) {
      attempts += 1;
      const sentAt = Date.now();
      const bot = options.bot.toLowerCase();
      const answer = client.next(
        (l) =>
          (l.command === '401' && l.params[1]?.toLowerCase() === bot) ||
          ((l.command === 'PRIVMSG' || l.command === 'NOTICE') && nickOf(l.prefix).toLowerCase() === bot && PAIRING_REPLY.test(l.params[1] ?? '')),
        Math.max(1, Math.min(replyMs, deadline - Date.now())),
        `a reply from ${options.bot}`,
      );
      client.privmsg(options.bot, 'hello from the failover tests');
      const line = await answer.catch(() => undefined);
      if (line && line.command !== '401') {
        return { nick, sentAt, repliedAt: Date.now(), reply: line.params[1] ?? '', attempts };
      }
      if (!line) {
        // Received but not answered: ask again as someone new.
        nick = freshNick();
        const renamed = client.next((l) => l.command === 'NICK' || l.command === '433', 5_000, 'NICK change').catch(() => undefined);
        client.send(`NICK ${nick}`);
        await renamed;
      } else {
        await new Promise((r) => setTimeout(r, Math.max(0, sentAt + everyMs - Date.now())));
      }
    }
    throw new Error(`no pairing reply from ${options.bot} within ${options.timeoutMs} ms (${attempts} DMs)`);
  } finally {
    await client.quit();
  }
}
