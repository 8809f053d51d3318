"""Text compression in two stages, then back: an LZ77 matcher over a
sliding Window class (hash chains of earlier positions) turns seeded
pseudo-English text into Literal and Match tokens, a Huffman coder
(Node objects in a heap, ordered by __lt__) packs the tokens through a
BitWriter, and a BitReader walks the code tree to decode them; the round
trip is asserted (object graph, methods, properties, dunders, bytes)."""

import heapq
import random

WINDOW_SIZE = 4096
MIN_MATCH = 3
MAX_MATCH = 40
MAX_CHAIN = 24
DOCUMENTS = 12
WORDS_PER_DOCUMENT = 14000
SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "en", "or",
             "th", "an", "qu", "is", "er", "pe")
PUNCTUATION = (".", ",", ";", "!", "?")
END_OF_BLOCK = 256
LENGTH_BASE = 257


class Literal:
    __slots__ = ("char",)

    def __init__(self, char):
        self.char = char

    def __eq__(self, other):
        return isinstance(other, Literal) and self.char == other.char

    def __hash__(self):
        return hash(("lit", self.char))

    def __repr__(self):
        return "Literal(%r)" % self.char

    @property
    def symbol(self):
        return ord(self.char) & 0xFF


class Match:
    __slots__ = ("distance", "length")

    def __init__(self, distance, length):
        self.distance = distance
        self.length = length

    def __eq__(self, other):
        return (isinstance(other, Match) and self.distance == other.distance
                and self.length == other.length)

    def __hash__(self):
        return hash((self.distance, self.length))

    def __repr__(self):
        return "Match(%d, %d)" % (self.distance, self.length)

    @property
    def symbol(self):
        return LENGTH_BASE + self.length - MIN_MATCH


class Window:
    """The last WINDOW_SIZE positions, found again through 3-char keys."""

    def __init__(self, text):
        self.text = text
        self.chains = {}

    def insert(self, pos):
        key = self.text[pos:pos + MIN_MATCH]
        if len(key) == MIN_MATCH:
            chain = self.chains.get(key)
            if chain is None:
                self.chains[key] = [pos]
            else:
                chain.append(pos)

    def match_length(self, a, b, limit):
        text = self.text
        n = 0
        while n < limit and text[a + n] == text[b + n]:
            n += 1
        return n

    def longest(self, pos):
        text = self.text
        limit = min(MAX_MATCH, len(text) - pos)
        if limit < MIN_MATCH:
            return None
        chain = self.chains.get(text[pos:pos + MIN_MATCH])
        if not chain:
            return None
        best_len = 0
        best_dist = 0
        tried = 0
        for i in range(len(chain) - 1, -1, -1):
            start = chain[i]
            dist = pos - start
            if dist > WINDOW_SIZE or tried >= MAX_CHAIN:
                break
            tried += 1
            n = self.match_length(start, pos, limit)
            if n > best_len:
                best_len, best_dist = n, dist
                if n == limit:
                    break
        if best_len >= MIN_MATCH:
            return Match(best_dist, best_len)
        return None


class LZ77:
    def tokens(self, text):
        window = Window(text)
        out = []
        pos = 0
        while pos < len(text):
            m = window.longest(pos)
            if m is None:
                out.append(Literal(text[pos]))
                window.insert(pos)
                pos += 1
            else:
                out.append(m)
                for p in range(pos, pos + m.length):
                    window.insert(p)
                pos += m.length
        return out

    def expand(self, tokens):
        chars = []
        for tok in tokens:
            if isinstance(tok, Literal):
                chars.append(tok.char)
            else:
                start = len(chars) - tok.distance
                for k in range(tok.length):
                    chars.append(chars[start + k])
        return "".join(chars)


class Node:
    __slots__ = ("weight", "symbol", "left", "right", "order")

    def __init__(self, weight, symbol=None, left=None, right=None, order=0):
        self.weight = weight
        self.symbol = symbol
        self.left = left
        self.right = right
        self.order = order

    def __lt__(self, other):
        if self.weight != other.weight:
            return self.weight < other.weight
        return self.order < other.order

    def __repr__(self):
        if self.is_leaf:
            return "Leaf(%d, %d)" % (self.symbol, self.weight)
        return "Node(%d)" % self.weight

    @property
    def is_leaf(self):
        return self.left is None


class HuffmanCode:
    def __init__(self, counts):
        heap = []
        order = 0
        for symbol in sorted(counts):
            heap.append(Node(counts[symbol], symbol, order=order))
            order += 1
        heapq.heapify(heap)
        if len(heap) == 1:
            only = heap[0]
            heap = [Node(only.weight, None, only, Node(0, -1), order)]
        while len(heap) > 1:
            a = heapq.heappop(heap)
            b = heapq.heappop(heap)
            order += 1
            heapq.heappush(heap, Node(a.weight + b.weight, None, a, b, order))
        self.root = heap[0]
        self.codes = {}
        self._assign(self.root, 0, 0)

    def _assign(self, node, bits, length):
        if node.is_leaf:
            self.codes[node.symbol] = (bits, max(length, 1))
            return
        self._assign(node.left, bits << 1, length + 1)
        self._assign(node.right, (bits << 1) | 1, length + 1)

    def average_length(self, counts):
        total = sum(counts.values())
        return sum(self.codes[s][1] * n for s, n in counts.items()) / total


class BitWriter:
    def __init__(self):
        self.out = bytearray()
        self.acc = 0
        self.nbits = 0

    def write(self, bits, length):
        self.acc = (self.acc << length) | bits
        self.nbits += length
        while self.nbits >= 8:
            self.nbits -= 8
            self.out.append((self.acc >> self.nbits) & 0xFF)
        self.acc &= (1 << self.nbits) - 1

    def flush(self):
        if self.nbits:
            self.out.append((self.acc << (8 - self.nbits)) & 0xFF)
            self.acc = 0
            self.nbits = 0
        return bytes(self.out)

    def __len__(self):
        return len(self.out) * 8 + self.nbits


class BitReader:
    def __init__(self, data):
        self.data = data
        self.pos = 0

    def bit(self):
        byte = self.data[self.pos >> 3]
        b = (byte >> (7 - (self.pos & 7))) & 1
        self.pos += 1
        return b

    def read(self, length):
        v = 0
        for _ in range(length):
            v = (v << 1) | self.bit()
        return v

    def symbol(self, root):
        node = root
        while not node.is_leaf:
            node = node.right if self.bit() else node.left
        return node.symbol


class Compressor:
    """LZ77 tokens, Huffman-coded; distances as 12 raw bits."""

    def __init__(self):
        self.lz = LZ77()

    def compress(self, text):
        tokens = self.lz.tokens(text)
        counts = {END_OF_BLOCK: 1}
        for tok in tokens:
            s = tok.symbol
            counts[s] = counts.get(s, 0) + 1
        code = HuffmanCode(counts)
        writer = BitWriter()
        for tok in tokens:
            bits, length = code.codes[tok.symbol]
            writer.write(bits, length)
            if isinstance(tok, Match):
                writer.write(tok.distance - 1, 12)
        bits, length = code.codes[END_OF_BLOCK]
        writer.write(bits, length)
        return Packed(writer.flush(), code, len(tokens))

    def decompress(self, packed):
        reader = BitReader(packed.data)
        root = packed.code.root
        tokens = []
        while True:
            s = reader.symbol(root)
            if s == END_OF_BLOCK:
                break
            if s < 256:
                tokens.append(Literal(chr(s)))
            else:
                dist = reader.read(12) + 1
                tokens.append(Match(dist, s - LENGTH_BASE + MIN_MATCH))
        return self.lz.expand(tokens)


class Packed:
    def __init__(self, data, code, ntokens):
        self.data = data
        self.code = code
        self.ntokens = ntokens

    def __len__(self):
        return len(self.data)

    def __repr__(self):
        return "Packed(%d bytes, %d tokens)" % (len(self.data), self.ntokens)


def make_text(seed, words):
    rng = random.Random(seed)
    vocab = []
    for _ in range(400):
        n = rng.randint(1, 4)
        vocab.append("".join(rng.choice(SYLLABLES) for _ in range(n)))
    # a Zipf-like choice: early words are far more common
    weights = [1.0 / (i + 1) for i in range(len(vocab))]
    out = []
    sentence = 0
    for w in rng.choices(vocab, weights, k=words):
        if sentence == 0:
            w = w.capitalize()
        out.append(w)
        sentence += 1
        if sentence > 4 and rng.random() < 0.15:
            out[-1] += rng.choice(PUNCTUATION)
            sentence = 0
    return " ".join(out)


def fletcher(data):
    a = b = 0
    for byte in data:
        a = (a + byte) % 65535
        b = (b + a) % 65535
    return (b << 16) | a


def main():
    comp = Compressor()
    total_in = total_out = 0
    check = 0
    for seed in range(DOCUMENTS):
        text = make_text(seed, WORDS_PER_DOCUMENT)
        packed = comp.compress(text)
        back = comp.decompress(packed)
        assert back == text, "round trip failed for document %d" % seed
        total_in += len(text)
        total_out += len(packed)
        check ^= fletcher(packed.data)
        print("doc %d: %d chars -> %r, ratio %.3f" % (
            seed, len(text), packed, len(packed) / len(text)))
    print("total %d -> %d bytes, checksum %08x" % (total_in, total_out,
                                                   check))


if __name__ == "__main__":
    main()
