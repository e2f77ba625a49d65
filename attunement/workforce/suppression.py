"""Complementary (secondary) suppression: no suppressed figure can be worked out from the
figures shown beside it.

A dashboard's figures are counts of people, each a sum of *atoms*: the counts of the finest
groups its data falls into (for the endorsed workforce, one category, region and sector in one
year). Every figure that a request can show (with every filter a user can set) is given here at
once, so one pattern of suppression serves every filter and every export:

1. a figure of 1 to ``MIN_CELL - 1`` people is suppressed (zero is shown: it discloses nobody);
2. in every group whose total is the sum of its parts (a row, a column, a filter's values), a
   group with exactly one suppressed member gets its next smallest member suppressed too, and
   so does a group whose suppressed parts add up (shown total minus shown parts) to fewer than
   ``MIN_CELL`` people;
3. then, exactly: a suppressed figure is *determined* when its atoms, as a vector, lie in the
   span of the shown figures' (Gaussian elimination modulo a large prime; a false "determined"
   would only suppress more). While one is, the smallest shown figure that shares an atom with
   it is suppressed too.

The result is the set of figures to suppress; which groups and atoms a dashboard has is the
dashboard's business (see :mod:`attunement.workforce.rollups` and ``indicators``)."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence

MIN_CELL = 10  # fewer people than this are never shown (re-exported by ``indicators``)
PRIME = (1 << 61) - 1


def protect[K: Hashable, A: Hashable](
    atoms: Mapping[A, int],
    figures: Mapping[K, Iterable[A]],
    groups: Iterable[tuple[K, Sequence[K]]] = (),
) -> set[K]:
    """The figures (keys of ``figures``) to suppress. ``atoms`` maps each atom to its count (zero
    atoms may be left out: a figure without atoms is zero and shown); ``groups`` lists
    ``(total, parts)`` where the total is the sum of the parts."""
    members = {key: [atom for atom in figure if atoms.get(atom, 0) > 0] for key, figure in figures.items()}
    values = {key: sum(atoms[atom] for atom in found) for key, found in members.items()}
    order = {key: position for position, key in enumerate(members)}
    suppressed = {key for key, value in values.items() if 0 < value < MIN_CELL}
    listed = [(total, list(parts)) for total, parts in groups]

    def smallest(candidates: Iterable[K]) -> K | None:
        shown = [key for key in candidates if key not in suppressed and values.get(key, 0) > 0]
        return min(shown, key=lambda key: (values[key], order[key])) if shown else None

    while True:
        _apply_groups(listed, values, suppressed, smallest)
        determined = _determined(members, values, suppressed, order)
        if not determined:
            return suppressed
        by_atom: dict[A, list[K]] = {}
        for key, found in members.items():
            if key not in suppressed:
                for atom in found:
                    by_atom.setdefault(atom, []).append(key)
        added = False
        for key in determined:  # the smallest shown figure that shares an atom with it
            pick = smallest({other for atom in members[key] for other in by_atom.get(atom, ())})
            if pick is not None and pick not in suppressed:
                suppressed.add(pick)
                added = True
        if not added:  # cannot happen (a determined figure shares an atom with a shown one); be safe
            suppressed.update(key for key, value in values.items() if value > 0)
            return suppressed


def _apply_groups[K: Hashable](
    groups: list[tuple[K, list[K]]],
    values: Mapping[K, int],
    suppressed: set[K],
    smallest: Callable[[Iterable[K]], K | None],
) -> None:
    changed = True
    while changed:
        changed = False
        for total, parts in groups:
            present = [key for key in (total, *parts) if values.get(key, 0) > 0]
            hidden = [key for key in present if key in suppressed]
            if not hidden:
                continue
            # a shown total minus the shown parts is the sum of the suppressed ones; each is at
            # least one (zero is shown), so a sum of one per suppressed part gives them all away
            exposed = total not in suppressed and sum(values[key] for key in hidden) <= len(hidden)
            if len(hidden) == 1 or exposed:
                pick = smallest(present)
                if pick is not None:
                    suppressed.add(pick)
                    changed = True


def _determined[K: Hashable, A: Hashable](
    members: Mapping[K, list[A]], values: Mapping[K, int], suppressed: set[K], order: Mapping[K, int]
) -> list[K]:
    """The suppressed figures that the shown ones determine exactly. First the atoms that a
    shown figure gives away alone (all its other atoms known) are peeled off, as subtraction
    would; the rest is Gaussian elimination over the atoms still unknown."""
    hidden = sorted((key for key in suppressed if values.get(key, 0) > 0), key=lambda key: order[key])
    if not hidden:
        return []
    index: dict[A, int] = {}
    for found in members.values():
        for atom in found:
            index.setdefault(atom, len(index))
    rows = [{index[atom] for atom in found} for key, found in members.items() if key not in suppressed and found]
    containing: dict[int, list[int]] = {}
    for number, row in enumerate(rows):
        for column in row:
            containing.setdefault(column, []).append(number)
    known: set[int] = set()
    unknown = [len(row) for row in rows]
    queue = [number for number, left in enumerate(unknown) if left == 1]
    while queue:
        number = queue.pop()
        if unknown[number] != 1:
            continue
        column = next(column for column in rows[number] if column not in known)
        known.add(column)
        for other in containing[column]:
            unknown[other] -= 1
            if unknown[other] == 1:
                queue.append(other)
    basis: dict[int, dict[int, int]] = {}
    for row in rows:
        rest = {column: 1 for column in row if column not in known}
        if rest:
            reduced, lead = _reduce(basis, rest)
            if lead is not None:
                inverse = pow(reduced[lead], PRIME - 2, PRIME)
                basis[lead] = {column: value * inverse % PRIME for column, value in reduced.items()}
    determined = []
    for key in hidden:
        rest = {index[atom]: 1 for atom in members[key] if index[atom] not in known}
        if not rest or _reduce(basis, rest)[1] is None:
            determined.append(key)
    return determined


def _reduce(basis: Mapping[int, dict[int, int]], row: dict[int, int]) -> tuple[dict[int, int], int | None]:
    """``row`` reduced by the echelon ``basis`` (each basis row's columns are above its pivot);
    with its leading column, or ``None`` when it reduced to zero (it lies in the span)."""
    columns = list(row)
    heapq.heapify(columns)
    while columns:
        lead = heapq.heappop(columns)
        factor = row.get(lead)
        if not factor:
            continue
        pivot = basis.get(lead)
        if pivot is None:
            return row, lead
        for column, value in pivot.items():
            updated = (row.get(column, 0) - factor * value) % PRIME
            if updated:
                if column not in row:
                    heapq.heappush(columns, column)
                row[column] = updated
            else:
                row.pop(column, None)
    return row, None


def cube[C: tuple[str, ...]](cells: Mapping[C, int]) -> set[tuple[str | None, ...]]:
    """The pattern for a table of several dimensions whose every margin can be shown (a filter
    per dimension, or none): the figures are the cells with any of their coordinates replaced
    by ``None`` (all values); the groups, each figure against its parts along one dimension."""
    keys = sorted(key for key, n in cells.items() if n > 0)
    if not keys:
        return set()
    dims = len(keys[0])
    figures: dict[tuple[str | None, ...], list[C]] = {}
    for mask in range(1 << dims):  # the finest cells first: on a tie, they are suppressed first
        for key in keys:
            figure = tuple(None if mask >> d & 1 else key[d] for d in range(dims))
            figures.setdefault(figure, []).append(key)
    groups: dict[tuple[tuple[str | None, ...], int], list[tuple[str | None, ...]]] = {}
    for figure in figures:
        for d in range(dims):
            if figure[d] is not None:
                groups.setdefault(((*figure[:d], None, *figure[d + 1 :]), d), []).append(figure)
    return protect(cells, figures, [(total, parts) for (total, _d), parts in groups.items()])
