"""The allocation's selection (`select`), checked against exhaustive search on small random calls.

Pure tests: plain records, no database (one page test at the end uses it). The objective: among the selections
that include every forced candidate, stay within the budget and meet every quota, the best by rank order (the
lexicographic order of ranks). One quota: the result must be that optimum, always. Several: the result must always
be feasible for the quotas it enforces; how often it is the optimum is measured and asserted for what is claimed.
"""

import datetime
import itertools
import random
from decimal import Decimal

import pytest

from incubator.funding.selection import Candidate, QuotaRule, select

PERCENTS = [Decimal(p) for p in ("0", "10", "25", "33.33", "40", "50", "60", "66.67", "75", "100")]


# --- The reference: exhaustive search ---------------------------------------------------------------------------


def _meets(chosen, candidates, quota) -> bool:
    members = sum(1 for i in chosen if quota.group in candidates[i].groups)
    return members * 100 >= quota.min_percent * len(chosen)


def _rank_order(candidates) -> list[int]:
    return sorted(range(len(candidates)), key=lambda i: (candidates[i].rank, i))


def _feasible(candidates, budget, quotas):
    """Every feasible selection (forced in, within the budget, every quota met), as frozensets of positions."""
    forced = {i for i, c in enumerate(candidates) if c.forced}
    for size in range(len(candidates) + 1):
        for chosen in itertools.combinations(range(len(candidates)), size):
            if (
                forced <= set(chosen)
                and sum(candidates[i].amount for i in chosen) <= budget
                and all(_meets(chosen, candidates, q) for q in quotas)
            ):
                yield frozenset(chosen)


def _best_by_rank(candidates, budget, quotas):
    """The lexicographic optimum by rank order among the feasible selections, or None when there is none (or
    only the empty one while some project fits the budget: the quotas are then met only vacuously)."""
    place = {i: p for p, i in enumerate(_rank_order(candidates))}
    n = len(candidates)
    best = max(
        _feasible(candidates, budget, quotas), key=lambda s: sum(1 << (n - 1 - place[i]) for i in s), default=None
    )
    if best is not None and not best and any(c.amount <= budget for c in candidates if not c.forced):
        return None
    return best


def _greedy(candidates, budget):
    chosen = {i for i, c in enumerate(candidates) if c.forced}
    spent = sum(candidates[i].amount for i in chosen)
    for i in _rank_order(candidates):
        if i not in chosen and spent + candidates[i].amount <= budget:
            chosen.add(i)
            spent += candidates[i].amount
    return frozenset(chosen)


def _random_call(rng, groups="a", disjoint=False, quotas=None):
    n = rng.randint(1, 10)
    ranks = rng.sample(range(1, n + 1), n)  # the input order is not the rank order
    shares = {g: rng.choice([0.2, 0.4, 0.6]) for g in groups}
    candidates = []
    for rank in ranks:
        if disjoint:
            roll, served, edge = rng.random(), set(), 0.0
            for g in groups:
                edge += shares[g] / len(groups)
                if roll < edge:
                    served = {g}
                    break
        else:
            served = {g for g in groups if rng.random() < shares[g]}
        served |= {"residents"} if rng.random() < 0.3 else set()  # a group no quota asks for
        candidates.append(
            Candidate(
                rank=rank,
                amount=rng.choice([0, *range(1, 11), *range(1, 11)]),
                groups=frozenset(served),
                forced=rng.random() < 0.08,
            )
        )
    budget = rng.randint(0, max(1, sum(c.amount for c in candidates)))
    rules = [QuotaRule(g, rng.choice(PERCENTS)) for g in (quotas or groups)]
    return candidates, budget, rules


def _check_feasible_for_what_it_enforces(candidates, budget, quotas, selection):
    forced = {i for i, c in enumerate(candidates) if c.forced}
    forced_cost = sum(candidates[i].amount for i in forced)
    assert forced <= selection.funded
    assert selection.spent == sum(candidates[i].amount for i in selection.funded)
    if forced_cost <= budget:
        assert selection.spent <= budget
    else:
        assert selection.funded == forced  # the operators' decisions already overspend: nothing else
    for j, quota in enumerate(quotas):
        assert selection.met[j] == _meets(selection.funded, candidates, quota)
    assert all(selection.met[j] for j in selection.enforced)


def _check_passed_over(candidates, budget, quotas, selection):
    """Every unfunded candidate ranked above a funded one is passed over, for the right reason."""
    order = _rank_order(candidates)
    last = max((p for p, i in enumerate(order) if i in selection.funded), default=-1)
    above = {i for p, i in enumerate(order) if p < last and i not in selection.funded}
    assert set(selection.passed_over) == above
    for i, why in selection.passed_over.items():
        better = [j for j in order[: order.index(i)] if j in selection.funded]
        paid = {j for j, c in enumerate(candidates) if c.forced} | set(better)
        remaining = budget - sum(candidates[j].amount for j in paid)
        assert why.remaining == max(remaining, 0)
        assert (why.reason == "budget") == (candidates[i].amount > remaining), why
        if why.reason == "quota":
            assert why.quotas and set(why.quotas) <= set(selection.enforced)
            if len(selection.enforced) == 1:  # proved: no selection meets the quota with it and those above it
                enforced = [quotas[j] for j in selection.enforced]
                decided = set(order[: order.index(i)])
                assert not any(
                    s & decided == paid & decided and i in s for s in _feasible(candidates, budget, enforced)
                )


# --- One quota: exact -------------------------------------------------------------------------------------------


def test_without_quotas_it_is_greedy_down_the_ranking_within_the_budget():
    rng = random.Random(1)
    for _ in range(300):
        candidates, budget, _rules = _random_call(rng)
        selection = select(candidates, budget=budget)
        assert selection.funded == _greedy(candidates, budget)
        assert selection.exact and selection.enforced == () and selection.met == ()
        _check_passed_over(candidates, budget, [], selection)


def test_with_one_quota_it_is_the_best_by_rank_order_as_exhaustive_search_finds():
    rng = random.Random(12)
    met_by_search = 0
    for _ in range(400):
        candidates, budget, rules = _random_call(rng)
        selection = select(candidates, budget=budget, quotas=rules)
        _check_feasible_for_what_it_enforces(candidates, budget, rules, selection)
        _check_passed_over(candidates, budget, rules, selection)
        assert selection.exact
        best = _best_by_rank(candidates, budget, rules)
        if best is None:
            # No (non-vacuous) selection meets the quota: it is reported, and the ranking decides within the budget.
            assert selection.enforced == () and selection.funded == _greedy(candidates, budget)
        else:
            met_by_search += 1
            assert selection.enforced == (0,) and selection.met == (True,)
            assert selection.funded == best, (candidates, budget, rules)
    assert met_by_search > 250  # the random calls are mostly feasible, so the comparison means something


# --- Several quotas: always feasible; the optimum on every sampled call ------------------------------------------


@pytest.mark.parametrize(
    ("groups", "disjoint", "seed"),
    [("ab", False, 2), ("ab", True, 3), ("abc", False, 4)],
    ids=["two-overlapping", "two-disjoint", "three-overlapping"],
)
def test_with_several_quotas_every_enforced_quota_is_met_and_sampled_calls_reach_the_optimum(groups, disjoint, seed):
    rng = random.Random(seed)
    feasible = found = optimal = 0
    for _ in range(500):
        candidates, budget, rules = _random_call(rng, groups, disjoint)
        selection = select(candidates, budget=budget, quotas=rules)
        _check_feasible_for_what_it_enforces(candidates, budget, rules, selection)
        _check_passed_over(candidates, budget, rules, selection)
        best = _best_by_rank(candidates, budget, rules)
        if best is not None:
            feasible += 1
            found += len(selection.enforced) == len(rules)
            optimal += selection.funded == best
        else:
            assert len(selection.enforced) < len(rules)  # it never claims what exhaustive search refutes
    # What the docstring of `select` claims for these: every feasible sampled call found, and its optimum.
    assert feasible > 100
    assert (found, optimal) == (feasible, feasible)


def test_the_same_group_asked_twice_is_the_stricter_quota():
    rng = random.Random(5)
    for _ in range(200):
        candidates, budget, rules = _random_call(rng, quotas="aa")
        selection = select(candidates, budget=budget, quotas=rules)
        _check_feasible_for_what_it_enforces(candidates, budget, rules, selection)
        stricter = [max(rules, key=lambda q: q.min_percent)]
        alone = select(candidates, budget=budget, quotas=stricter)
        assert (len(selection.enforced) == 2) == (alone.enforced == (0,))
        if alone.enforced:
            assert selection.funded == alone.funded


# --- Cases by hand ----------------------------------------------------------------------------------------------


def _call(*specs):
    """Candidates in rank order from (amount, groups[, forced]) tuples."""
    return [
        Candidate(rank, amount, frozenset(groups), *forced) for rank, (amount, groups, *forced) in enumerate(specs, 1)
    ]


def test_a_quota_that_one_for_one_swaps_could_not_meet_is_met():
    """Greedy takes 1, 2, 3 (none elderly). Swapping one for the elderly project 4 leaves 1 of 3; a 50% quota
    needs giving up two for one. The old proposal reported the quota unmet; {1, 4} meets it."""
    candidates = _call((50, ""), (25, ""), (25, ""), (50, {"elderly"}))
    selection = select(candidates, budget=100, quotas=[QuotaRule("elderly", Decimal("50"))])
    assert selection.funded == {0, 3} and selection.met == (True,)
    reasons = {i: (why.reason, why.quotas) for i, why in selection.passed_over.items()}
    assert reasons == {1: ("quota", (0,)), 2: ("quota", (0,))}


def test_a_higher_ranked_project_is_never_given_up_for_lower_ranked_ones():
    """Funding 2, 3, 4 would fund more projects, but 1 is kept: best by rank order, not most projects."""
    candidates = _call((90, ""), (30, ""), (30, ""), (30, ""))
    assert select(candidates, budget=100).funded == {0}
    assert select(candidates, budget=100).passed_over == {}


def test_a_quota_met_only_by_funding_nothing_is_reported_unmet_and_the_ranking_decides():
    candidates = _call((30, {"children"}), (30, {"children"}))
    selection = select(candidates, budget=100, quotas=[QuotaRule("elderly", Decimal("50"))])
    assert selection.funded == {0, 1} and selection.unmet == (0,) and selection.enforced == ()


def test_forced_projects_that_break_a_quota_beyond_repair_leave_it_unmet_and_the_others_met():
    candidates = _call((10, {"children"}), (10, ""), (10, {"elderly"}), (50, "", True), (90, {"disabled"}))
    quotas = [QuotaRule("disabled", Decimal("50")), QuotaRule("elderly", Decimal("25"))]
    selection = select(candidates, budget=100, quotas=quotas)
    # Half disabled would need the 90 project beside the forced 50: over the budget, whatever else. The elderly
    # quota is still enforced: one of the four funded serves the elderly.
    assert selection.enforced == (1,) and selection.met == (False, True)
    assert selection.funded == {0, 1, 2, 3}


def test_forced_projects_over_the_budget_are_funded_and_nothing_else():
    candidates = _call((10, {"elderly"}), (70, "", True), (60, "", True))
    selection = select(candidates, budget=100, quotas=[QuotaRule("elderly", Decimal("50"))])
    assert selection.funded == {1, 2} and selection.spent == 130 and selection.met == (False,)
    assert selection.passed_over[0].reason == "budget" and selection.passed_over[0].remaining == 0


def test_a_quota_share_outside_0_to_100_is_refused():
    with pytest.raises(ValueError):
        select(_call((1, "")), budget=1, quotas=[QuotaRule("elderly", Decimal("150"))])


def test_two_thousand_applications_with_three_quotas_stay_fast():
    import time

    rng = random.Random(7)
    groups = (("elderly", 0.3), ("children", 0.3), ("disabled", 0.1))
    candidates = [
        Candidate(
            rank=i + 1,
            amount=rng.randrange(5000, 30000) * 100,
            groups=frozenset(g for g, share in groups if rng.random() < share),
        )
        for i in range(2000)
    ]
    quotas = [QuotaRule("elderly", Decimal(50)), QuotaRule("children", Decimal(40)), QuotaRule("disabled", Decimal(20))]
    started = time.perf_counter()
    selection = select(candidates, budget=3_000_000 * 100, quotas=quotas)
    assert time.perf_counter() - started < 2  # about 0.1 s; generous for a loaded test machine
    assert selection.met == (True, True, True) and selection.spent <= 3_000_000 * 100


# --- The ranking page -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_ranking_page_says_who_was_passed_over_and_why(client, operator, open_call):
    from incubator.accounts.roles import Role
    from incubator.funding.models import Application, Assignment, BudgetLine, Call
    from tests.conftest import HUB_A
    from tests.factories import OrganisationFactory, UserFactory

    Call.objects.filter(pk=open_call.pk).update(status="reviewing", budget=Decimal("100000.00"))
    open_call.quotas.create(target_group="elderly", min_percent=Decimal("50"))
    expert = UserFactory(email="judge@experts.test", roles=[Role.EXPERT])
    made = {}
    for title, total, groups, amount in [
        ("甲", 95, ["children"], 30000),  # funded: the elderly projects can make the share
        ("乙", 90, ["children"], 30000),  # passed over: with it, two elderly projects would not fit
        ("丙", 85, ["elderly"], 30000),
        ("丁", 80, ["elderly"], 30000),
        ("戊", 75, ["elderly"], 30000),  # below every funded project: not "passed over"
    ]:
        application = Application.objects.create(
            call=open_call, organisation=OrganisationFactory(), title=title, status="reviewed", target_groups=groups
        )
        BudgetLine.objects.create(application=application, category="activities", item="x", amount=Decimal(amount))
        Assignment.objects.create(
            application=application,
            expert=expert,
            total=Decimal(total),
            submitted_at=datetime.datetime.now(datetime.UTC),
        )
        made[title] = application
    client.force_login(operator)
    page = client.get(f"/admin/funding/calls/{open_call.pk}/ranking/", HTTP_HOST=HUB_A["domain"]).content.decode()
    rows = {title: page.split(f'data-application="{a.pk}"')[1].split("</tr>")[0] for title, a in made.items()}
    assert 'data-passed-over="quota"' in rows["乙"]
    assert "passed-over" not in rows["甲"] + rows["丙"] + rows["丁"] + rows["戊"]
    assert 'id="passed-over-note"' in page and 'id="several-quotas-note"' not in page
