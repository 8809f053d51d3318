"""Valid-mode 1-D convolution of a signal with a kernel (hot: convolve1d)."""

import random


def convolve1d(signal, kernel):
    """Return the 'valid' convolution of signal with kernel."""
    n = len(signal)
    k = len(kernel)
    out = []
    for i in range(n - k + 1):
        total = 0.0
        for j in range(k):
            total += signal[i + j] * kernel[k - 1 - j]
        out.append(total)
    return out


if __name__ == "__main__":
    rng = random.Random(4)
    signal = [rng.random() * 2.0 - 1.0 for _ in range(20_000)]
    for k in range(3, 12, 2):
        kernel = [rng.random() * 2.0 - 1.0 for _ in range(k)]
        out = convolve1d(signal, kernel)
        print("samples: %d, first: %.6f" % (len(out), out[0]))
