/**
 * The typed API client and its contracts, loaded when first used: valibot and the
 * schemas stay out of a participant's first load (DL2, 100 KB of brotli script),
 * since only organizers' actions on the board page (rename, private writing) call them.
 */
export async function apiOnDemand() {
  const [{ call }, { API }] = await Promise.all([import('./api'), import('$shared/api/contracts')]);
  return { call, API };
}
