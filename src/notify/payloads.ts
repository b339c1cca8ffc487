// Each service's own request format for one notification. Pure: the notifier sends what these build.
import type { OutboundRequest } from './http-send.ts';
import type { Notification } from './notification.ts';

export type Channel = 'webhook' | 'slack' | 'discord' | 'ntfy';

export interface SenderInfo {
  host: string;
  version: string;
  /** STANDBY_MODE (docs/hot-standby.md): how this standby serves, in every webhook document. */
  standbyMode?: 'cold' | 'hot';
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const ICON: Record<Notification['severity'], string> = { info: 'ℹ️', warning: '⚠️', critical: '🚨' };

export function buildRequest(channel: Channel, url: string, n: Notification, sender: SenderInfo): OutboundRequest {
  switch (channel) {
    case 'webhook':
      return { method: 'POST', url, headers: JSON_HEADERS, body: JSON.stringify(webhookDocument(n, sender)) };
    case 'slack':
      return { method: 'POST', url, headers: JSON_HEADERS, body: JSON.stringify({ text: `${ICON[n.severity]} ${n.text}` }) };
    case 'discord':
      // Discord refuses content over 2000 characters; no @mentions from problem texts.
      return {
        method: 'POST',
        url,
        headers: JSON_HEADERS,
        body: JSON.stringify({ content: truncate(`${ICON[n.severity]} ${n.text}`, 2000), allowed_mentions: { parse: [] } }),
      };
    case 'ntfy':
      return {
        method: 'POST',
        url,
        headers: {
          'content-type': 'text/plain; charset=utf-8',
          // HTTP header values must be ASCII; ntfy renders the tags as emoji itself.
          title: asciiOnly(`openclaw-failover on ${sender.host}: ${n.title}`),
          priority: n.severity === 'critical' ? '5' : n.severity === 'warning' ? '4' : '3',
          tags: n.severity === 'critical' ? 'rotating_light' : n.severity === 'warning' ? 'warning' : 'information_source',
        },
        body: n.text,
      };
  }
}

/** The generic webhook's JSON document: stable field names, durations in milliseconds. */
export function webhookDocument(n: Notification, sender: SenderInfo): Record<string, unknown> {
  return {
    source: 'openclaw-failover',
    event: n.event,
    severity: n.severity,
    title: n.title,
    text: n.text,
    reason: n.reason,
    phase: n.phase,
    problems: n.problems,
    timings: n.timings,
    host: sender.host,
    version: sender.version,
    ...(sender.standbyMode ? { standbyMode: sender.standbyMode } : {}),
    at: new Date(n.at).toISOString(),
  };
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function asciiOnly(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}
