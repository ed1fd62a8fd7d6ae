/**
 * Sound sources that add into a stereo buffer: tones with harmonics under an
 * envelope, and noise- and sweep-based drums. Everything is deterministic
 * given the random source passed in.
 */
export class Track {
  readonly left: Float32Array;
  readonly right: Float32Array;

  constructor(
    readonly rate: number,
    frames: number,
    private readonly random: () => number,
  ) {
    this.left = new Float32Array(frames);
    this.right = new Float32Array(frames);
  }

  get frames(): number {
    return this.left.length;
  }

  /** A pitched note: harmonic amplitudes, attack, exponential decay, a short release, equal-power pan (-1..1). */
  tone(
    startSec: number,
    lengthSec: number,
    midi: number,
    gain: number,
    pan: number,
    shape: { attackSec: number; decayPerSec: number; harmonics: number[]; vibrato?: number },
  ): void {
    const start = Math.max(0, Math.floor(startSec * this.rate));
    const end = Math.min(this.frames, Math.floor((startSec + lengthSec) * this.rate));
    if (end <= start) return;
    const step = (2 * Math.PI * 440 * 2 ** ((midi - 69) / 12)) / this.rate;
    const leftGain = gain * Math.cos(((pan + 1) * Math.PI) / 4);
    const rightGain = gain * Math.sin(((pan + 1) * Math.PI) / 4);
    const attack = Math.max(1, shape.attackSec * this.rate);
    const release = Math.max(1, Math.min(end - start, Math.floor(0.04 * this.rate)));
    const decay = Math.exp(-shape.decayPerSec / this.rate);
    const vibrato = shape.vibrato ?? 0;
    const { harmonics } = shape;
    // Without vibrato the phase turns by the same angle every sample: the fundamental is kept as a unit phasor
    // rotated by that angle (two multiplications, no sine). Overtones follow from it by the Chebyshev recurrence
    // sin((h + 1)φ) = 2 cos φ · sin(hφ) − sin((h − 1)φ).
    const turnCos = Math.cos(step);
    const turnSin = Math.sin(step);
    let envelope = 1;
    let phase = 0;
    let sin = 0;
    let cos = 1;
    for (let i = start; i < end; i++) {
      const t = i - start;
      let level = envelope * Math.min(1, t / attack);
      if (end - i < release) level *= (end - i) / release;
      envelope *= decay;
      if (vibrato === 0) {
        const turned = cos * turnCos - sin * turnSin;
        sin = sin * turnCos + cos * turnSin;
        cos = turned;
      } else {
        phase += step * (1 + vibrato * Math.sin((2 * Math.PI * 5 * t) / this.rate));
        sin = Math.sin(phase);
        cos = Math.cos(phase);
      }
      let sample = harmonics[0]! * sin;
      let below = 0;
      let current = sin;
      for (let h = 1; h < harmonics.length; h++) {
        const next = 2 * cos * current - below;
        below = current;
        current = next;
        sample += harmonics[h]! * current;
      }
      this.left[i]! += sample * level * leftGain;
      this.right[i]! += sample * level * rightGain;
    }
  }

  /** A kick: a sine sweeping down from ~140 Hz. */
  kick(atSec: number, gain: number): void {
    const start = Math.floor(atSec * this.rate);
    const end = Math.min(this.frames, start + Math.floor(0.3 * this.rate));
    let phase = 0;
    for (let i = Math.max(0, start); i < end; i++) {
      const t = (i - start) / this.rate;
      phase += (2 * Math.PI * (48 + 95 * Math.exp(-t * 28))) / this.rate;
      const value = Math.sin(phase) * gain * Math.exp(-t * 11);
      this.left[i]! += value;
      this.right[i]! += value;
    }
  }

  /** Noise with an exponential decay; `tone` blends in a body (a snare) and `bright` high-passes it (a hat). */
  hit(
    atSec: number,
    lengthSec: number,
    gain: number,
    decayPerSec: number,
    options: { bright?: boolean; bodyHz?: number; pan?: number } = {},
  ): void {
    const start = Math.floor(atSec * this.rate);
    const end = Math.min(this.frames, start + Math.floor(lengthSec * this.rate));
    const pan = options.pan ?? 0;
    const leftGain = gain * Math.cos(((pan + 1) * Math.PI) / 4) * Math.SQRT2;
    const rightGain = gain * Math.sin(((pan + 1) * Math.PI) / 4) * Math.SQRT2;
    let previous = 0;
    for (let i = Math.max(0, start); i < end; i++) {
      const t = (i - start) / this.rate;
      const white = this.random() * 2 - 1;
      let value = options.bright ? white - previous : white;
      previous = white;
      if (options.bodyHz) value = 0.6 * value + 0.8 * Math.sin(2 * Math.PI * options.bodyHz * t) * Math.exp(-t * 30);
      value *= Math.exp(-decayPerSec * t);
      this.left[i]! += value * leftGain;
      this.right[i]! += value * rightGain;
    }
  }

  /** A feedback echo (dotted-eighth style), for space in the sparse styles. */
  echo(delaySec: number, feedback: number, mix: number): void {
    const delay = Math.round(delaySec * this.rate);
    for (const [channel, other] of [
      [this.left, this.right],
      [this.right, this.left],
    ] as const) {
      const wet = new Float32Array(this.frames);
      for (let i = delay; i < this.frames; i++) wet[i] = channel[i - delay]! * mix + wet[i - delay]! * feedback;
      for (let i = 0; i < this.frames; i++) other[i]! += wet[i]! * 0.5;
    }
  }
}
