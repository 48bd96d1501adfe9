"""The selection of funded projects (资助组合) as a pure function: ranks, amounts and groups in, the chosen set
and the reasons others were passed over out. No database, no Django: tested against exhaustive search."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from itertools import combinations_with_replacement


@dataclass(frozen=True, slots=True)
class Candidate:
    """An application as the selection sees it: its place in the ranking (1 is best), what funding it costs (an
    exact number ≥ 0: integer cents in production), the target groups it serves, and ``forced`` when an operator
    decided to fund it (``override=include``)."""

    rank: int
    amount: int | Decimal
    groups: frozenset[str] = frozenset()
    forced: bool = False


@dataclass(frozen=True, slots=True)
class QuotaRule:
    """At least ``min_percent`` (0-100) of the selected projects serve ``group``."""

    group: str
    min_percent: int | Decimal


@dataclass(frozen=True, slots=True)
class PassedOver:
    """Why a candidate ranked above a selected one was left out.

    ``budget``: it did not fit in what remained (``remaining``) once the overrides and the better-ranked selected
    projects were paid. ``quota``: it fitted, but no selection of projects ranked below it completes it into one
    that meets the quotas ``quotas`` (indices into the quotas given) within the budget."""

    reason: str
    remaining: int | Decimal
    quotas: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Selection:
    funded: frozenset[int]  # positions in the candidates given
    spent: int | Decimal
    met: tuple[bool, ...]  # per quota, measured on the selection itself
    enforced: tuple[int, ...]  # the quotas the selection was built to meet: all of them unless some cannot be
    exact: bool  # the best by rank order among the selections that meet `enforced` (proved: ≤ 1 enforced quota)
    passed_over: dict[int, PassedOver] = field(default_factory=dict)  # unselected, ranked above a selected one

    @property
    def unmet(self) -> tuple[int, ...]:
        return tuple(j for j, ok in enumerate(self.met) if not ok)


def select(candidates: Sequence[Candidate], *, budget: int | Decimal, quotas: Sequence[QuotaRule] = ()) -> Selection:
    """Who is funded: the best selection by rank order, within the budget, meeting the quotas.

    **Objective.** A selection is *feasible* when it includes every forced candidate, costs at most ``budget`` and
    meets every quota: at least ``min_percent``% of the selected projects serve the quota's group (the empty
    selection meets every quota). Among the feasible selections, the one proposed is the best *by rank order*, the
    lexicographic order of ranks: it includes the best-ranked candidate if any feasible selection does; given that,
    the second if any feasible selection still does; and so on. A higher-ranked project is never given up for any
    number of lower-ranked ones. Without quotas this is greedy funding down the ranking within the budget; with
    quotas, a project is skipped exactly when funding it, with the better-ranked ones already in, leaves no way to
    meet the quotas within the budget. (When the best feasible selection is the empty one although some project
    fits the budget, the quotas can only be met vacuously: they count as unmeetable, below.)

    **One quota: exact, O(n log n).** Forced candidates are in from the start; the others are decided one at a
    time in rank order, and one is kept iff the selection so far plus it has a *completion*: candidates ranked
    below it that, added, make a feasible selection. For one quota that test is exact: adding a project outside
    the group never helps (it raises the number of members needed and costs money) and each member added closes
    the same part of the shortfall, so a completion exists iff the k cheapest remaining members fit in the budget,
    k being the fewest members that close the shortfall. A Fenwick tree over the members by amount answers "the k
    cheapest" in O(log n) as decided candidates leave it. Deciding in rank order with an exact test gives the
    lexicographic optimum (the tests check it against exhaustive search).

    **Several quotas: always feasible, optimal as far as tested.** The same decision in rank order with a test
    that is sound but not complete. It first applies each quota's exact test alone (one failing proves there is no
    completion), then searches greedily for a joint completion: each step adds the cheapest remaining candidate of
    the combination of groups that closes the most shortfall per yuan, or the cheapest two or three together when
    no single one closes any (a member of one group can widen another group's gap); failing that, the search is
    run again taking the most shortfall closed at each step. A completion found is kept as a witness: the
    candidates in it are kept when their turn comes, and the next candidate is first tried with the witness
    extended. A candidate passed over for the quotas also passes over, without a search, every later one that
    serves no quota group it does not serve and costs no less (it could have taken that one's place in any
    completion). Guaranteed: the selection is within the budget (overrides apart, below), includes every forced
    candidate and meets every quota in ``enforced``; a quota is left out of ``enforced`` only when no selection
    meeting it (with those before it) was found. Not guaranteed: that it is the lexicographic optimum (``exact``
    is then False), nor that a quota reported unmet could not be met. On random calls of up to 10 projects with two
    quotas (groups overlapping or disjoint) and with three, it matched exhaustive search every time
    (tests/incubator/funding/test_allocation.py); with four quotas, a trial of 20,000 random calls found 3 (of the
    5,544 that had a feasible selection) where it fell short.

    **When quotas cannot be met.** If no non-empty feasible selection is found (the forced candidates break a
    quota beyond repair, or no project within the budget can make a quota's share), the quotas are taken in the
    order given and each is enforced if a selection meeting it together with those already enforced is found; the
    others are left out of ``enforced`` and reported in ``met``. With none enforced this is greedy by rank within
    the budget. Forced candidates that together exceed the budget are all selected all the same (an operator's
    decision) and nothing else is.
    """
    order = sorted(range(len(candidates)), key=lambda i: (candidates[i].rank, i))
    rules = [_Rule.of(quota) for quota in quotas]
    everything = tuple(range(len(rules)))
    enforced: tuple[int, ...] = everything
    outcome = _run(candidates, order, budget, rules, everything)
    if outcome is None:
        enforced = ()
        outcome = _run(candidates, order, budget, rules, ())
        for j in everything:
            attempt = _run(candidates, order, budget, rules, (*enforced, j))
            if attempt is not None:
                enforced, outcome = (*enforced, j), attempt
    assert outcome is not None  # with nothing enforced, a run always succeeds
    chosen, spent, reasons = outcome
    funded = frozenset(chosen)
    met = tuple(
        sum(1 for i in funded if rule.group in candidates[i].groups) * rule.scale >= rule.num * len(funded)
        for rule in rules
    )
    place = {i: position for position, i in enumerate(order)}
    last = max((place[i] for i in funded), default=-1)
    return Selection(
        funded=funded,
        spent=spent,
        met=met,
        enforced=enforced,
        exact=len(enforced) <= 1,
        passed_over={i: why for i, why in reasons.items() if place[i] < last},
    )


@dataclass(frozen=True, slots=True)
class _Rule:
    """A quota in integers: ``n`` selected projects, ``g`` of them in the group, meet it iff the shortfall
    ``num * n - scale * g`` is ≤ 0 (min_percent = 100 * num / scale). A member added lowers the shortfall by
    ``gain``, a non-member raises it by ``num``."""

    group: str
    num: int
    scale: int

    @classmethod
    def of(cls, quota: QuotaRule) -> _Rule:
        share = Fraction(quota.min_percent) / 100
        if not 0 <= share <= 1:
            raise ValueError(f"A quota's share is between 0 and 100%, not {quota.min_percent}.")
        return cls(group=quota.group, num=share.numerator, scale=share.denominator)

    @property
    def gain(self) -> int:
        return self.scale - self.num


class _Cheapest:
    """The still-available members of one group: what do the k cheapest cost? A Fenwick tree over the members
    sorted by amount, counting and summing those still available; O(log n) to remove one or to answer."""

    __slots__ = ("amounts", "available", "count", "size", "slot", "top", "total")

    def __init__(self, items: list[int], amount_of: list) -> None:
        ordered = sorted(items, key=lambda i: (amount_of[i], i))
        self.size = size = len(ordered)
        self.amounts = [0] + [amount_of[i] for i in ordered]
        self.slot = {item: k for k, item in enumerate(ordered, start=1)}
        self.count = count = [0] + [1] * size
        self.total = total = list(self.amounts)
        for k in range(1, size + 1):
            parent = k + (k & -k)
            if parent <= size:
                count[parent] += count[k]
                total[parent] += total[k]
        self.available = size
        self.top = 1 << (size.bit_length() - 1) if size else 0

    def remove(self, item: int) -> None:
        k = self.slot.pop(item, None)
        if k is None:
            return
        amount, count, total = self.amounts[k], self.count, self.total
        self.available -= 1
        while k <= self.size:
            count[k] -= 1
            total[k] -= amount
            k += k & -k

    def cheapest(self, k: int):
        """The cost of the k cheapest available, or None when fewer are left."""
        if k > self.available:
            return None
        if k <= 0:
            return 0
        position, left, cost, step = 0, k, 0, self.top
        count, total, size = self.count, self.total, self.size
        while step:
            probe = position + step
            if probe <= size and count[probe] < left:
                position, left, cost = probe, left - count[probe], cost + total[probe]
            step >>= 1
        return cost + self.amounts[position + 1]


class _Queue:
    """The still-available candidates of one combination of groups, cheapest first; removal marks a slot and a
    path-compressed "next available" pointer skips it."""

    __slots__ = ("index", "items", "next")

    def __init__(self, items: list[int], amount_of: list) -> None:
        self.items = sorted(items, key=lambda i: (amount_of[i], i))
        self.index = {item: k for k, item in enumerate(self.items)}
        self.next = list(range(len(self.items) + 1))

    def remove(self, item: int) -> None:
        k = self.index.pop(item, None)
        if k is not None:
            self.next[k] = k + 1

    def find(self, k: int) -> int:
        """The first available slot at or after k (len(items) when none)."""
        following = self.next
        root = k
        while following[root] != root:
            root = following[root]
        while following[k] != root:
            following[k], k = root, following[k]
        return root


BUNDLE = 3  # the most candidates one step of the search for a joint completion adds together


class _Witness:
    """A completion found for the selection so far: candidates still to be decided that, added, meet every quota
    within the budget. Of each combination of groups it holds the cheapest available ones, up to slot ``ends``."""

    __slots__ = ("cost", "ends", "have", "items", "size")

    def __init__(self, width: int) -> None:
        self.items: set[int] = set()
        self.ends: dict[int, int] = {}
        self.size, self.have, self.cost = 0, [0] * width, 0

    def extend(self, items: list[int], ends: dict[int, int], bits: list[int], amount_of: list) -> None:
        self.items.update(items)
        self.ends.update(ends)
        self.size += len(items)
        for item in items:
            self.cost += amount_of[item]
            for k in range(len(self.have)):
                self.have[k] += bits[item] >> k & 1

    def drop(self, item: int, kind: int, amount) -> None:
        self.items.discard(item)
        self.size -= 1
        self.cost -= amount
        for k in range(len(self.have)):
            self.have[k] -= kind >> k & 1


def _run(candidates, order, budget, rules, enforced):
    """Decide in rank order with the quotas ``enforced``: (chosen in rank order, spent, reasons) or None when no
    non-empty selection meeting them was found."""
    active = [rules[j] for j in enforced]
    width = len(active)
    amount_of = [c.amount for c in candidates]
    bits = [sum(1 << k for k, rule in enumerate(active) if rule.group in c.groups) for c in candidates]
    chosen = [i for i in order if candidates[i].forced]
    free = [i for i in order if not candidates[i].forced]
    selected = len(chosen)
    have = [sum(1 for i in chosen if bits[i] >> k & 1) for k in range(width)]
    cost = sum((amount_of[i] for i in chosen), 0)
    cheapest = [_Cheapest([i for i in free if bits[i] >> k & 1], amount_of) for k in range(width)]
    queues: dict[int, _Queue] = {}
    if width > 1:
        kinds: dict[int, list[int]] = {}
        for i in free:
            if bits[i]:
                kinds.setdefault(bits[i], []).append(i)
        queues = {kind: _Queue(items, amount_of) for kind, items in kinds.items()}

    def effect(move: tuple[int, ...]) -> tuple[int, ...]:
        """What adding one candidate of each kind in ``move`` does to each shortfall."""
        return tuple(sum(-rule.gain if kind >> k & 1 else rule.num for kind in move) for k, rule in enumerate(active))

    # The moves of the search, by size: combinations of kinds, each with its effect.
    moves = (combinations_with_replacement(queues, size) for size in range(1, BUNDLE + 1))
    bundles = [[(move, effect(move)) for move in sized] for sized in moves]
    weights = [1 / rule.scale for rule in active]

    def short(selected: int, have: list[int]) -> list[int]:
        return [rule.num * selected - rule.scale * members for rule, members in zip(active, have, strict=True)]

    def reachable(k: int, selected: int, members: int, cost) -> bool:
        """Exact for quota k alone: do the fewest members that close its shortfall, cheapest first, fit?"""
        rule = active[k]
        shortfall = rule.num * selected - rule.scale * members
        if shortfall <= 0:
            return cost <= budget
        if rule.gain == 0:
            return False
        extra = cheapest[k].cheapest(-(-shortfall // rule.gain))
        return extra is not None and cost + extra <= budget

    def complete(selected: int, have: list[int], cost, at: dict[int, int], per_yuan: bool):
        """Greedy search for a joint completion among the available candidates from slots ``at`` on:
        (candidates, last slot taken of each combination), or None.

        A move adds the cheapest available candidates of some combinations of groups: one candidate or, when no
        single one closes any shortfall (a member of one group widens another's gap), two, then three. Each step
        takes the move that closes the most shortfall per yuan (``per_yuan``), or the most shortfall, cheapest
        first."""
        if cost > budget:
            return None
        shortfall = short(selected, have)
        taken: list[int] = []
        ends: dict[int, int] = {}
        while any(s > 0 for s in shortfall):
            best = None
            for moves in bundles:
                for move, deltas in moves:
                    gain = 0.0
                    for before, delta, weight in zip(shortfall, deltas, weights, strict=True):
                        after = before + delta
                        gain += ((before if before > 0 else 0) - (after if after > 0 else 0)) * weight
                    if gain <= 0:
                        continue
                    items, amount, slots = [], 0, {}
                    for kind in move:
                        queue = queues[kind]
                        slot = queue.find(slots[kind] + 1) if kind in slots else at[kind]
                        if slot >= len(queue.items):
                            break
                        slots[kind] = slot
                        items.append(queue.items[slot])
                        amount += amount_of[queue.items[slot]]
                    if len(items) < len(move) or cost + amount > budget:
                        continue
                    key = ((gain / amount if amount else math.inf), gain) if per_yuan else (gain, -amount)
                    if best is None or key > best[0]:
                        best = (key, deltas, items, amount, slots)
                if best is not None:
                    break
            if best is None:
                return None
            _key, deltas, items, amount, slots = best
            taken.extend(items)
            cost += amount
            shortfall = [before + delta for before, delta in zip(shortfall, deltas, strict=True)]
            for kind, slot in slots.items():
                ends[kind] = slot
                at[kind] = queues[kind].find(slot + 1)
        return taken, ends

    def fresh(selected: int, have: list[int], cost) -> _Witness | None:
        for per_yuan in (True, False):
            found = complete(selected, have, cost, {t: q.find(0) for t, q in queues.items()}, per_yuan)
            if found is not None:
                witness = _Witness(width)
                witness.extend(*found, bits, amount_of)
                return witness
        return None

    def unreachable(selected: int, have: list[int], cost) -> tuple[int, ...]:
        return tuple(enforced[k] for k in range(width) if not reachable(k, selected, have[k], cost))

    witness = _Witness(width)
    if width and unreachable(selected, have, cost):
        return None  # the forced candidates alone break a quota beyond repair, or the budget
    if width > 1:
        if (found := fresh(selected, have, cost)) is None:
            return None
        witness = found
    # The cheapest amount passed over for the quotas, by combination of groups: a later candidate serving no
    # more of the groups and costing no less has no completion either (it could be swapped for that one).
    floor: dict[int, object] = {}
    reasons: dict[int, PassedOver] = {}
    for i in free:
        kind, amount = bits[i], amount_of[i]
        for k in range(width):
            if kind >> k & 1:
                cheapest[k].remove(i)
        if kind in queues:
            queues[kind].remove(i)
        remaining = budget - cost
        if amount > remaining:
            reasons[i] = PassedOver("budget", max(remaining, 0))
            continue
        grown = [members + (kind >> k & 1) for k, members in enumerate(have)]
        blame: tuple[int, ...] = ()
        if width == 1:
            blame = unreachable(selected + 1, grown, cost + amount)
        elif width > 1:
            if i in witness.items:
                witness.drop(i, kind, amount)
            elif all(
                s <= 0
                for s in short(selected + 1 + witness.size, [g + h for g, h in zip(grown, witness.have, strict=True)])
            ) and (cost + amount + witness.cost <= budget):
                pass  # the witness completes this selection too
            elif all(s <= 0 for s in short(selected + 1, grown)):
                witness = _Witness(width)  # this selection is complete as it is
            elif any(t & kind == kind and least <= amount for t, least in floor.items()):
                blame = tuple(enforced[k] for k, s in enumerate(short(selected + 1, grown)) if s > 0)
            elif blame := unreachable(selected + 1, grown, cost + amount):
                pass
            else:
                grown_with = [g + h for g, h in zip(grown, witness.have, strict=True)]
                at = {t: q.find(witness.ends.get(t, -1) + 1) for t, q in queues.items()}
                extra = complete(selected + 1 + witness.size, grown_with, cost + amount + witness.cost, at, True)
                if extra is not None:
                    witness.extend(*extra, bits, amount_of)
                elif (found := fresh(selected + 1, grown, cost + amount)) is not None:
                    witness = found
                else:
                    blame = tuple(enforced[k] for k, s in enumerate(short(selected + 1, grown)) if s > 0)
        if blame:
            reasons[i] = PassedOver("quota", remaining, blame)
            if width > 1 and (kind not in floor or amount < floor[kind]):
                floor[kind] = amount
            continue
        chosen.append(i)
        selected, have, cost = selected + 1, grown, cost + amount
    if width and not chosen and any(amount_of[i] <= budget for i in free):
        return None  # only the empty selection: it meets every quota, but is no proposal
    return chosen, cost, reasons
