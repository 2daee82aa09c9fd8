/**
 * Auditioning with Tone.js: a player (play / stop / loop, playback rate) and a sampler (keyboard, step sequencer)
 * that share one chain, pitch shift → filter → reverb → meter → speakers. The audio graph is built on the first
 * user gesture (browsers start audio only then).
 */
import * as Tone from 'tone';

export type FilterKind = 'lowpass' | 'highpass' | 'bandpass';

export interface AuditionOptions {
  playbackRate: number;
  /** Pitch shift in semitones, independent of the rate. */
  pitch: number;
  filterType: FilterKind;
  /** Hertz. */
  cutoff: number;
  resonance: number;
  /** Reverb wet share in [0, 1]. */
  reverb: number;
  loop: boolean;
  bpm: number;
}

/** The note the sample sounds at unshifted on the keyboard and sequencer. */
export const ROOT_NOTE = 'C4';
/** Sequencer rows, top to bottom. */
export const SEQUENCER_NOTES = ['C5', 'G4', 'Eb4', 'C4'] as const;
export const SEQUENCER_STEPS = 16;

interface Chain {
  player: Tone.Player;
  sampler: Tone.Sampler;
  pitch: Tone.PitchShift;
  filter: Tone.Filter;
  reverb: Tone.Reverb;
  meter: Tone.Meter;
  sequence: Tone.Sequence<number>;
}

export class Audition {
  static readonly defaults: AuditionOptions = {
    playbackRate: 1, pitch: 0, filterType: 'lowpass', cutoff: 20000, resonance: 0.7, reverb: 0, loop: false, bpm: 110,
  };

  readonly options: AuditionOptions;
  /** On/off per sequencer row and step. */
  readonly pattern: boolean[][];
  /** Called on the audio clock's beat with the sequencer step now sounding (for the grid highlight). */
  onStep: ((step: number) => void) | undefined;
  /** Called when the player stops on its own (end of a one-shot). */
  onEnded: (() => void) | undefined;
  private chain: Chain | undefined;
  private sound: { samples: Float32Array; sampleRate: number } | undefined;
  private buffer: Tone.ToneAudioBuffer | undefined;
  private sequencerRunning = false;

  constructor(options: Partial<AuditionOptions> = {}) {
    this.options = { ...Audition.defaults, ...options };
    this.pattern = SEQUENCER_NOTES.map(() => new Array<boolean>(SEQUENCER_STEPS).fill(false));
    // A simple starting groove: root on the beats, fifth and minor third off-beat, octave at the end.
    for (const step of [0, 4, 8, 12]) this.pattern[3][step] = true;
    for (const step of [6, 14]) this.pattern[1][step] = true;
    this.pattern[2][10] = true;
    this.pattern[0][15] = true;
  }

  /** Starts audio (call from a user gesture) and builds the graph once. */
  async start(): Promise<void> {
    await Tone.start();
    if (this.chain === undefined) this.chain = this.build();
    if (this.sound !== undefined && this.buffer === undefined) this.loadBuffer();
  }

  /** The sound to audition: mono samples at their own rate (Web Audio resamples on playback). */
  setSound(samples: Float32Array, sampleRate: number): void {
    this.stop();
    this.sound = { samples, sampleRate };
    this.buffer = undefined;
    if (this.chain !== undefined) this.loadBuffer();
  }

  get hasSound(): boolean {
    return this.sound !== undefined;
  }

  async play(): Promise<void> {
    await this.start();
    const chain = this.chain;
    if (chain === undefined || this.buffer === undefined) return;
    if (chain.player.state === 'started') chain.player.stop();
    chain.player.loop = this.options.loop;
    chain.player.start();
  }

  stop(): void {
    if (this.chain?.player.state === 'started') this.chain.player.stop();
  }

  get playing(): boolean {
    return this.chain?.player.state === 'started';
  }

  set(options: Partial<AuditionOptions>): void {
    Object.assign(this.options, options);
    const chain = this.chain;
    if (chain === undefined) return;
    chain.player.playbackRate = this.options.playbackRate;
    chain.player.loop = this.options.loop;
    chain.pitch.pitch = this.options.pitch;
    chain.filter.type = this.options.filterType;
    chain.filter.frequency.rampTo(this.options.cutoff, 0.05);
    chain.filter.Q.rampTo(this.options.resonance, 0.05);
    chain.reverb.wet.rampTo(this.options.reverb, 0.05);
    Tone.getTransport().bpm.rampTo(this.options.bpm, 0.1);
  }

  /** Keyboard: the sample repitched to `note` (relative to C4). */
  async noteOn(note: string): Promise<void> {
    await this.start();
    if (this.buffer !== undefined) this.chain?.sampler.triggerAttack(note);
  }

  noteOff(note: string): void {
    if (this.buffer !== undefined) this.chain?.sampler.triggerRelease(note);
  }

  async toggleSequencer(): Promise<boolean> {
    await this.start();
    const transport = Tone.getTransport();
    if (this.sequencerRunning) {
      transport.stop();
      this.sequencerRunning = false;
    } else {
      transport.bpm.value = this.options.bpm;
      transport.start();
      this.sequencerRunning = true;
    }
    return this.sequencerRunning;
  }

  get sequencerPlaying(): boolean {
    return this.sequencerRunning;
  }

  /** Output level now, 0–1 (peak-ish, smoothed by Tone.Meter). */
  level(): number {
    const value = this.chain?.meter.getValue();
    return typeof value === 'number' ? value : 0;
  }

  contextState(): string {
    return this.chain === undefined ? 'not started' : Tone.getContext().state;
  }

  private build(): Chain {
    const meter = new Tone.Meter({ normalRange: true, smoothing: 0.6 }).toDestination();
    const reverb = new Tone.Reverb({ decay: 2.8, preDelay: 0.01, wet: this.options.reverb }).connect(meter);
    const filter = new Tone.Filter({ type: this.options.filterType, frequency: this.options.cutoff, Q: this.options.resonance }).connect(reverb);
    const pitch = new Tone.PitchShift({ pitch: this.options.pitch, windowSize: 0.08 }).connect(filter);
    const player = new Tone.Player({ loop: this.options.loop, playbackRate: this.options.playbackRate }).connect(pitch);
    player.onstop = () => this.onEnded?.();
    const sampler = new Tone.Sampler({ release: 0.25 }).connect(pitch);
    const steps = Array.from({ length: SEQUENCER_STEPS }, (_, i) => i);
    const sequence = new Tone.Sequence<number>((time, step) => {
      if (this.buffer !== undefined) {
        SEQUENCER_NOTES.forEach((note, row) => {
          if (this.pattern[row][step]) sampler.triggerAttackRelease(note, '8n', time);
        });
      }
      Tone.getDraw().schedule(() => this.onStep?.(step), time);
    }, steps, '16n');
    sequence.start(0);
    Tone.getTransport().bpm.value = this.options.bpm;
    return { player, sampler, pitch, filter, reverb, meter, sequence };
  }

  private loadBuffer(): void {
    const chain = this.chain;
    const sound = this.sound;
    if (chain === undefined || sound === undefined) return;
    const raw = Tone.getContext().rawContext.createBuffer(1, sound.samples.length, sound.sampleRate);
    raw.copyToChannel(sound.samples as Float32Array<ArrayBuffer>, 0);
    this.buffer = new Tone.ToneAudioBuffer(raw as AudioBuffer);
    chain.player.buffer = this.buffer;
    chain.sampler.add(ROOT_NOTE as Tone.Unit.Note, this.buffer);
  }
}
