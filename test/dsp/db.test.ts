import { amplitudeToDb, powerToDb, dbToAmplitude, dbToPower } from '../../src/dsp/db';
import { reference, relativeError } from './reference';

describe('dB conversions match torchaudio amplitude_to_DB / DB_to_amplitude', () => {
  const input = reference('db/input').data;
  test('amplitude, top_db 80', () => {
    const ref = reference('db/amplitude_top80');
    expect(relativeError(amplitudeToDb(input, { topDb: 80 }), ref.data)).toBeLessThan(1e-5);
  });
  test('power, no top_db', () => {
    const ref = reference('db/power_nocap');
    const power = input.map((v) => v * v);
    expect(relativeError(powerToDb(power), ref.data)).toBeLessThan(1e-5);
  });
  test('amplitude with ref 0.25, amin 1e-5, top_db 60', () => {
    const ref = reference('db/amplitude_ref');
    expect(relativeError(amplitudeToDb(input, { ref: 0.25, amin: 1e-5, topDb: 60 }), ref.data)).toBeLessThan(1e-5);
  });
  test('back to amplitude and to power with a reference', () => {
    const db = amplitudeToDb(input);
    expect(relativeError(dbToAmplitude(db), reference('db/to_amplitude').data)).toBeLessThan(1e-5);
    expect(relativeError(dbToPower(db, 2), reference('db/to_power_ref').data)).toBeLessThan(1e-5);
  });
  test('bad options are rejected', () => {
    expect(() => amplitudeToDb([1], { amin: 0 })).toThrow(/amin must be positive/);
    expect(() => amplitudeToDb([1], { topDb: -3 })).toThrow(/topDb/);
  });
});
