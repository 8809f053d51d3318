"""Image filters on numpy arrays walked element by element (the way
code ported from C often is): blur, Sobel, threshold, histogram."""

import numpy as np


def make_image(w, h):
    y, x = np.mgrid[0:h, 0:w]
    return (((x * 7 + y * 13) ^ (x * y)) % 256).astype(np.float64)


def box_blur(img):
    h, w = img.shape
    out = np.zeros_like(img)
    for y in range(1, h - 1):
        for x in range(1, w - 1):
            s = 0.0
            for dy in range(-1, 2):
                for dx in range(-1, 2):
                    s += img[y + dy, x + dx]
            out[y, x] = s / 9.0
    return out


def sobel(img):
    h, w = img.shape
    out = np.zeros_like(img)
    for y in range(1, h - 1):
        for x in range(1, w - 1):
            gx = (img[y - 1, x + 1] + 2.0 * img[y, x + 1] + img[y + 1, x + 1]
                  - img[y - 1, x - 1] - 2.0 * img[y, x - 1]
                  - img[y + 1, x - 1])
            gy = (img[y + 1, x - 1] + 2.0 * img[y + 1, x] + img[y + 1, x + 1]
                  - img[y - 1, x - 1] - 2.0 * img[y - 1, x]
                  - img[y - 1, x + 1])
            out[y, x] = (gx * gx + gy * gy) ** 0.5
    return out


def count_above(img, level):
    h, w = img.shape
    n = 0
    for y in range(h):
        for x in range(w):
            if img[y, x] > level:
                n += 1
    return n


if __name__ == "__main__":
    img = make_image(240, 180)
    img = box_blur(img)
    edges = sobel(img)
    print(count_above(edges, 40.0), round(float(img.sum()), 3))
