import { isSafeUrl, type AgendaLinks } from '../../shared/schema';

/**
 * Sorting a page's links into the agenda's named links: where to meet
 * (Zoom, Teams, Meet, Jitsi, Webex), where to register, and the shared
 * whiteboard (Miro, Mural). The host decides first; the link's text and the
 * sentence around it decide when the host says nothing ("register [here](…)").
 */

export type LinkKind = 'meeting' | 'registration' | 'whiteboard';

export interface PageLink {
  url: string;
  /** The link's own text. */
  text: string;
  /** Text of the paragraph or list item around it. */
  context: string;
}

const hostIs = (host: string, domain: string): boolean => host === domain || host.endsWith(`.${domain}`);

const MEETING_HOSTS = [
  'zoom.us',
  'zoom.com',
  'teams.microsoft.com',
  'teams.live.com',
  'meet.google.com',
  'meet.jit.si',
  'webex.com',
  'whereby.com',
  'gotomeeting.com',
  'bigbluebutton.org',
];
const REGISTRATION_HOSTS = [
  'forms.gle',
  'forms.office.com',
  'eventbrite.com',
  'typeform.com',
  'tally.so',
  'surveymonkey.com',
  'jotform.com',
];
const WHITEBOARD_HOSTS = ['miro.com', 'mural.co', 'excalidraw.com', 'conceptboard.com', 'padlet.com'];

function kindByHost(u: URL): LinkKind | null {
  const host = u.hostname.toLowerCase();
  if (MEETING_HOSTS.some((d) => hostIs(host, d)) || host.startsWith('jitsi.') || host.startsWith('meet.jit'))
    return 'meeting';
  if (REGISTRATION_HOSTS.some((d) => hostIs(host, d))) return 'registration';
  if (hostIs(host, 'docs.google.com') && u.pathname.startsWith('/forms')) return 'registration';
  if (WHITEBOARD_HOSTS.some((d) => hostIs(host, d))) return 'whiteboard';
  return null;
}

function kindByWords(text: string): LinkKind | null {
  if (/\b(regist(?:er|ration)|sign[ -]?up|rsvp|tickets?)\b/i.test(text)) return 'registration';
  if (/\b(zoom|teams|jitsi|webex|video ?call|meeting link|join (?:the )?(?:call|meeting))\b/i.test(text))
    return 'meeting';
  if (/\b(whiteboard|miro|mural)\b/i.test(text)) return 'whiteboard';
  return null;
}

export function classifyLink(link: PageLink): LinkKind | null {
  let u: URL;
  try {
    u = new URL(link.url);
  } catch {
    return null;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
  return kindByHost(u) ?? kindByWords(link.text) ?? kindByWords(link.context);
}

/** The first link of each kind, in page order. */
export function namedLinks(links: Iterable<PageLink>): AgendaLinks {
  const out: AgendaLinks = {};
  for (const link of links) {
    if (!isSafeUrl(link.url)) continue;
    const kind = classifyLink(link);
    if (kind && out[kind] === undefined) out[kind] = link.url;
  }
  return out;
}
