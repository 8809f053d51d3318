"""Image filters on nested lists: a synthetic grey image, a 3x3 box
blur, a Sobel edge magnitude, a threshold and a histogram."""


def make_image(w, h):
    return [[((x * 7 + y * 13) ^ (x * y)) % 256 for x in range(w)]
            for y in range(h)]


def box_blur(img):
    h = len(img)
    w = len(img[0])
    out = [[0] * w for _ in range(h)]
    for y in range(1, h - 1):
        row = out[y]
        for x in range(1, w - 1):
            s = 0
            for dy in (-1, 0, 1):
                r = img[y + dy]
                s += r[x - 1] + r[x] + r[x + 1]
            row[x] = s // 9
    return out


def sobel(img):
    h = len(img)
    w = len(img[0])
    out = [[0.0] * w for _ in range(h)]
    for y in range(1, h - 1):
        a, b, c = img[y - 1], img[y], img[y + 1]
        row = out[y]
        for x in range(1, w - 1):
            gx = (a[x + 1] + 2 * b[x + 1] + c[x + 1]) - \
                (a[x - 1] + 2 * b[x - 1] + c[x - 1])
            gy = (c[x - 1] + 2 * c[x] + c[x + 1]) - \
                (a[x - 1] + 2 * a[x] + a[x + 1])
            row[x] = (gx * gx + gy * gy) ** 0.5
    return out


def threshold(img, level):
    return [[1 if v > level else 0 for v in row] for row in img]


def histogram(img, bins):
    counts = [0] * bins
    for row in img:
        for v in row:
            k = int(v) * bins // 256
            counts[min(k, bins - 1)] += 1
    return counts


if __name__ == "__main__":
    img = make_image(480, 360)
    for _ in range(3):
        img = box_blur(img)
    edges = sobel(img)
    mask = threshold(edges, 40.0)
    print(sum(map(sum, mask)), histogram(img, 8))
