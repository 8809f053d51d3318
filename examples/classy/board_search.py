"""Connect-four played by two alpha-beta searchers: a Board class with
columns of cells and a move history, Move objects ordered by a score
(__lt__), a window-counting evaluation, a transposition table keyed by
the board (__hash__/__eq__), iterative deepening with killer moves, on
seeded random openings (object graph, methods, dunders, dicts)."""

import random

ROWS = 6
COLS = 7
EMPTY = 0
RED = 1
YELLOW = 2
WIN_SCORE = 1000000
DEPTH = 6
GAMES = 4
OPENING_MOVES = 4
CENTRE_ORDER = (3, 2, 4, 1, 5, 0, 6)
WINDOW_SCORES = {0: 0, 1: 1, 2: 8, 3: 60}


def other(player):
    return YELLOW if player == RED else RED


def _windows():
    """Every line of four cells, as (col, row) tuples."""
    out = []
    for c in range(COLS):
        for r in range(ROWS):
            for dc, dr in ((1, 0), (0, 1), (1, 1), (1, -1)):
                cells = [(c + k * dc, r + k * dr) for k in range(4)]
                if all(0 <= x < COLS and 0 <= y < ROWS for x, y in cells):
                    out.append(tuple(cells))
    return out


WINDOWS = _windows()
WINDOWS_AT = {}
for _w in WINDOWS:
    for _cell in _w:
        WINDOWS_AT.setdefault(_cell, []).append(_w)


class Move:
    __slots__ = ("column", "score")

    def __init__(self, column, score=0):
        self.column = column
        self.score = score

    def __lt__(self, other):
        # the higher score sorts first; ties go to the more central column
        if self.score != other.score:
            return self.score > other.score
        return CENTRE_ORDER.index(self.column) < CENTRE_ORDER.index(
            other.column)

    def __eq__(self, other):
        return isinstance(other, Move) and self.column == other.column

    def __hash__(self):
        return self.column

    def __repr__(self):
        return "Move(%d, %d)" % (self.column, self.score)


class Board:
    def __init__(self):
        self.cells = [[EMPTY] * ROWS for _ in range(COLS)]
        self.heights = [0] * COLS
        self.history = []
        self.to_move = RED

    def __repr__(self):
        rows = []
        for r in range(ROWS - 1, -1, -1):
            rows.append("".join(".xo"[self.cells[c][r]] for c in range(COLS)))
        return "\n".join(rows)

    def key(self):
        return tuple(tuple(col[:h]) for col, h in zip(self.cells,
                                                        self.heights))

    def __eq__(self, other):
        return self.key() == other.key()

    def __hash__(self):
        return hash(self.key())

    @property
    def full(self):
        return len(self.history) == ROWS * COLS

    def legal(self):
        return [c for c in CENTRE_ORDER if self.heights[c] < ROWS]

    def play(self, column):
        row = self.heights[column]
        self.cells[column][row] = self.to_move
        self.heights[column] = row + 1
        self.history.append(column)
        self.to_move = other(self.to_move)

    def undo(self):
        column = self.history.pop()
        row = self.heights[column] - 1
        self.cells[column][row] = EMPTY
        self.heights[column] = row
        self.to_move = other(self.to_move)

    def last_move_won(self):
        if not self.history:
            return False
        column = self.history[-1]
        row = self.heights[column] - 1
        player = self.cells[column][row]
        for window in WINDOWS_AT[(column, row)]:
            for c, r in window:
                if self.cells[c][r] != player:
                    break
            else:
                return True
        return False

    def evaluate(self, player):
        """Windows still open to one side, weighted by how full they are."""
        opponent = other(player)
        score = 0
        cells = self.cells
        for window in WINDOWS:
            mine = theirs = 0
            for c, r in window:
                v = cells[c][r]
                if v == player:
                    mine += 1
                elif v == opponent:
                    theirs += 1
            if theirs == 0:
                score += WINDOW_SCORES[mine]
            elif mine == 0:
                score -= WINDOW_SCORES[theirs]
        return score


class Entry:
    __slots__ = ("depth", "value", "flag", "best")

    EXACT, LOWER, UPPER = 0, 1, 2

    def __init__(self, depth, value, flag, best):
        self.depth = depth
        self.value = value
        self.flag = flag
        self.best = best


class Searcher:
    def __init__(self, depth):
        self.depth = depth
        self.table = {}
        self.killers = {}
        self.nodes = 0

    def ordered_moves(self, board, ply, hint):
        moves = []
        killer = self.killers.get(ply)
        for column in board.legal():
            m = Move(column)
            if column == hint:
                m.score = 2
            elif column == killer:
                m.score = 1
            moves.append(m)
        moves.sort()
        return moves

    def negamax(self, board, depth, alpha, beta, ply):
        self.nodes += 1
        if board.last_move_won():
            return -WIN_SCORE + ply
        if board.full:
            return 0
        if depth == 0:
            return board.evaluate(board.to_move)
        key = board.key()
        entry = self.table.get(key)
        hint = None
        if entry is not None:
            hint = entry.best
            if entry.depth >= depth:
                if entry.flag == Entry.EXACT:
                    return entry.value
                if entry.flag == Entry.LOWER and entry.value >= beta:
                    return entry.value
                if entry.flag == Entry.UPPER and entry.value <= alpha:
                    return entry.value
        start_alpha = alpha
        best_value = -WIN_SCORE * 2
        best_column = None
        for move in self.ordered_moves(board, ply, hint):
            board.play(move.column)
            value = -self.negamax(board, depth - 1, -beta, -alpha, ply + 1)
            board.undo()
            if value > best_value:
                best_value = value
                best_column = move.column
            if value > alpha:
                alpha = value
            if alpha >= beta:
                self.killers[ply] = move.column
                break
        if best_value <= start_alpha:
            flag = Entry.UPPER
        elif best_value >= beta:
            flag = Entry.LOWER
        else:
            flag = Entry.EXACT
        self.table[key] = Entry(depth, best_value, flag, best_column)
        return best_value

    def choose(self, board):
        best = None
        for depth in range(1, self.depth + 1):
            best = Move(None, -WIN_SCORE * 2)
            alpha, beta = -WIN_SCORE * 2, WIN_SCORE * 2
            for move in self.ordered_moves(board, 0, best.column):
                board.play(move.column)
                value = -self.negamax(board, depth - 1, -beta, -alpha, 1)
                board.undo()
                if value > best.score:
                    best = Move(move.column, value)
                if value > alpha:
                    alpha = value
            if best.score >= WIN_SCORE - 100:
                break
        return best


class Game:
    def __init__(self, seed, depth_red, depth_yellow):
        self.rng = random.Random(seed)
        self.board = Board()
        self.players = {RED: Searcher(depth_red),
                        YELLOW: Searcher(depth_yellow)}
        self.winner = None

    def opening(self, moves):
        for _ in range(moves):
            self.board.play(self.rng.choice(self.board.legal()))

    def play(self):
        board = self.board
        while not board.full:
            searcher = self.players[board.to_move]
            move = searcher.choose(board)
            mover = board.to_move
            board.play(move.column)
            if board.last_move_won():
                self.winner = mover
                break
        return self.winner

    @property
    def nodes(self):
        return sum(s.nodes for s in self.players.values())


def main():
    wins = {RED: 0, YELLOW: 0, None: 0}
    total_nodes = 0
    for seed in range(GAMES):
        depth_red = DEPTH - (seed % 2)
        game = Game(seed, depth_red, DEPTH - 1 + (seed % 2))
        game.opening(OPENING_MOVES)
        winner = game.play()
        wins[winner] += 1
        total_nodes += game.nodes
        print("game %d: %d moves, winner %s, nodes %d, moves %s" % (
            seed, len(game.board.history),
            {RED: "red", YELLOW: "yellow", None: "none"}[winner],
            game.nodes, "".join(str(c) for c in game.board.history)))
    print(repr(game.board))
    print("red %d yellow %d draws %d; nodes %d" % (
        wins[RED], wins[YELLOW], wins[None], total_nodes))


if __name__ == "__main__":
    main()
