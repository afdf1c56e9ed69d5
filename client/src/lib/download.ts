// Kept apart from api.ts so that what downloads exports (tasks, on every board page) does not
// bring valibot and the contracts into a participant's first load (DL2).

/** A file the server builds (an export): its bytes and the name it suggests, or the status on failure. */
export async function download(
  path: string,
  token: string,
): Promise<{ ok: true; blob: Blob; filename: string | null } | { ok: false; status: number }> {
  const res = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) return { ok: false, status: res.status };
  const disposition = res.headers.get('content-disposition') ?? '';
  return { ok: true, blob: await res.blob(), filename: /filename="([^"]+)"/.exec(disposition)?.[1] ?? null };
}
