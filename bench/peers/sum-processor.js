/** The floor for "one node for all channels": an AudioWorkletNode with N inputs that only sums them (stereo). */
class SumProcessor extends AudioWorkletProcessor {
  process(inputs, outputs) {
    const oL = outputs[0][0], oR = outputs[0][1];
    oL.fill(0); oR.fill(0);
    const n = oL.length;
    for (let k = 0; k < inputs.length; k++) {
      const inp = inputs[k];
      if (inp.length === 0) continue;
      const l = inp[0], r = inp.length > 1 ? inp[1] : inp[0];
      for (let i = 0; i < n; i++) { oL[i] += l[i]; oR[i] += r[i]; }
    }
    return true;
  }
}
registerProcessor('bench-sum', SumProcessor);

/** Below the floor: an AudioWorkletNode with N inputs whose process() does nothing. What Chromium
 * charges for a worklet node and its N inputs (pulling them, copying them into the JS arrays). */
class NopProcessor extends AudioWorkletProcessor {
  process() { return true; }
}
registerProcessor('bench-nop', NopProcessor);
