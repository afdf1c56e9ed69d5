/** Screen-reader labels, kept pure so that tests can pin their wording. */

const MAX_TEXT_IN_LABEL = 200;

/** "Note by Ada: <text>, 3 votes, talk: <title>" (votes left out while hidden). */
export function noteLabel(n: { author: string; text: string; votes: number | null; talk: string }): string {
  const text = n.text.trim() ? n.text.trim().slice(0, MAX_TEXT_IN_LABEL) : '(empty)';
  const parts = [`Note by ${n.author}: ${text}`];
  if (n.votes !== null) parts.push(`${n.votes} ${n.votes === 1 ? 'vote' : 'votes'}`);
  parts.push(n.talk ? `talk: ${n.talk}` : 'no talk');
  return parts.join(', ');
}

/** mm:ss for the shared timer; never negative. */
export function formatCountdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}
