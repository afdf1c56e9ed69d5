/**
 * The sound at the end of the shared timer: three short tones from Web Audio
 * (no file to fetch). Browsers only play after the person interacted with the
 * page; when they refuse, nothing happens.
 */
let ctx: AudioContext | null = null;

export function chime(): void {
  try {
    const Ctor = globalThis.AudioContext;
    if (!Ctor) return;
    ctx ??= new Ctor();
    const start = ctx.currentTime;
    [0, 0.28, 0.56].forEach((offset, i) => {
      if (!ctx) return;
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'sine';
      osc.frequency.value = i === 2 ? 1046.5 : 784;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.25, start + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.24);
      osc.connect(gain).connect(ctx.destination);
      osc.start(start + offset);
      osc.stop(start + offset + 0.25);
    });
  } catch {
    // No audio output: the timer still says "Time is up".
  }
}
