import { describe, expect, it } from 'vitest';
import { expectedCalibrationError, fitTemperature, softmaxRows, temperatureNll } from '../../src/core/calibration';
import { createRng, type Rng } from '../../src/core/random';

/** n samples of 3 classes whose labels are drawn from softmax(logits): those logits are calibrated. */
function calibratedSamples(n: number, rng: Rng): { logits: Float64Array; labels: Int32Array } {
  const classes = 3;
  const logits = new Float64Array(n * classes);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < classes; c++) logits[i * classes + c] = 4 * (rng() - 0.5) + (c === i % classes ? 2 : 0);
    const p = softmaxRows({ logits: logits.subarray(i * classes, (i + 1) * classes), classes });
    const u = rng();
    labels[i] = u < p[0] ? 0 : u < p[0] + p[1] ? 1 : 2;
  }
  return { logits, labels };
}

describe('temperature scaling', () => {
  for (const seed of [1, 2, 3]) {
    it(`recovers the temperature that over-confident logits were scaled by (seed ${seed})`, () => {
      const { logits, labels } = calibratedSamples(6000, createRng(seed));
      const sharpened = logits.map((l) => l * 2.5);
      const t = fitTemperature({ logits: sharpened, classes: 3 }, labels);
      expect(t).toBeGreaterThan(2.5 * 0.9);
      expect(t).toBeLessThan(2.5 * 1.1);
      // the fitted temperature is a minimum of the NLL
      const nll = (x: number) => temperatureNll({ logits: sharpened, classes: 3 }, labels, x);
      expect(nll(t)).toBeLessThan(nll(t * 0.95));
      expect(nll(t)).toBeLessThan(nll(t * 1.05));
      expect(nll(t)).toBeLessThan(nll(1));
    });
  }

  it('lowers the expected calibration error of over-confident logits', () => {
    const { logits, labels } = calibratedSamples(6000, createRng(7));
    const sharpened = logits.map((l) => l * 3);
    const ece = (t: number) => {
      const p = softmaxRows({ logits: sharpened, classes: 3 }, t);
      const conf: number[] = [];
      const right: boolean[] = [];
      for (let i = 0; i < labels.length; i++) {
        const row = [p[i * 3], p[i * 3 + 1], p[i * 3 + 2]];
        const top = row.indexOf(Math.max(...row));
        conf.push(row[top]);
        right.push(top === labels[i]);
      }
      return expectedCalibrationError(conf, right);
    };
    const before = ece(1);
    const after = ece(fitTemperature({ logits: sharpened, classes: 3 }, labels));
    expect(before).toBeGreaterThan(0.1);
    expect(after).toBeLessThan(0.03);
  });

  it('never sharpens by default: near-perfect validation logits keep T = 1, unless the range allows less', () => {
    const { logits, labels } = calibratedSamples(3000, createRng(5));
    const softened = logits.map((l) => l * 0.4); // under-confident: the NLL minimum is at T = 0.4
    expect(fitTemperature({ logits: softened, classes: 3 }, labels)).toBeCloseTo(1, 3);
    const free = fitTemperature({ logits: softened, classes: 3 }, labels, [0.05, 20]);
    expect(free).toBeGreaterThan(0.4 * 0.9);
    expect(free).toBeLessThan(0.4 * 1.1);
    expect(() => fitTemperature({ logits: softened, classes: 3 }, labels, [2, 1])).toThrow(
      /range must be 0 < min < max/,
    );
  });

  it('names bad labels and empty input', () => {
    expect(() => fitTemperature({ logits: [], classes: 2 }, [])).toThrow(/no validation samples/);
    expect(() => fitTemperature({ logits: [1, 2, 3, 4], classes: 2 }, [0, 2])).toThrow(
      /label 2 of sample 1 is not a class index in \[0, 1\]/,
    );
    expect(() => temperatureNll({ logits: [1, 2, 3], classes: 2 }, [0, 1], 1)).toThrow(
      /3 logits for 2 samples of 2 classes/,
    );
  });
});

describe('expectedCalibrationError', () => {
  it('is the sample-weighted gap between accuracy and confidence over 15 bins', () => {
    // bin (0.6, 0.667]: two samples at 0.65, one right -> |0.5 - 0.65| * 2/4; bin (0.933, 1]: two at 1.0, both right -> 0
    expect(expectedCalibrationError([0.65, 0.65, 1, 1], [true, false, true, true])).toBeCloseTo((0.15 * 2) / 4, 12);
    // a confidence exactly on a bin edge belongs to the lower bin, as in Guo et al.
    expect(expectedCalibrationError([0.2], [true], 5)).toBeCloseTo(0.8, 12);
    expect(expectedCalibrationError([], [])).toBe(0);
    expect(() => expectedCalibrationError([0.5], [])).toThrow(/1 confidences but 0 outcomes/);
  });

  it('is 0 when confidence equals accuracy in every bin', () => {
    const conf = [0.75, 0.75, 0.75, 0.75, 0.5, 0.5];
    const right = [true, true, true, false, true, false];
    expect(expectedCalibrationError(conf, right)).toBeCloseTo(0, 12);
  });
});
