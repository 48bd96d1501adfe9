"""The contract (资助协议) as a PDF, laid out with the shared ``incubator.pdf`` document.

The contract is always printed in Chinese (``CONTRACT_LANGUAGE``), whoever downloads it: it is the document the
parties sign. Its texts are translatable like every other, so the English catalogue is its English version.

Party A (甲方) is the hub, as the operators describe it in Settings → contract party details (``ContractParty``, one
per hub schema); Party B (乙方) is the organisation, with the bank account the installments are paid into. A detail
nobody recorded prints as a line to fill in by hand (``BLANK``), and ``missing_details`` lists those for the
project's page before anyone prints.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from incubator.funding.models import TargetGroup, Term
from incubator.pdf import BLANK, Document, amount_in_capitals
from incubator.projects.models import ContractParty, Project

CONTRACT_LANGUAGE = "zh-hans"


def contract_number(project: Project) -> str:
    return f"GYCT-{project.application.call_id:03d}-{project.pk:04d}"


# The details each party block prints: (attribute of the party, label).
PARTY_A_DETAILS = (
    ("uscc", gettext_lazy("Unified Social Credit Code")),
    ("address", gettext_lazy("address")),
    ("responsible_person", gettext_lazy("legal representative or responsible person")),
    ("contact_phone", gettext_lazy("contact phone")),
)
PARTY_B_DETAILS = PARTY_A_DETAILS + (
    ("bank_account_name", gettext_lazy("bank account name")),
    ("bank_name", gettext_lazy("bank and branch")),
    ("bank_account_number", gettext_lazy("bank account number")),
)


def _party_a() -> ContractParty:
    """This hub's details (its own schema's row); the hub's name when no legal name was given."""
    party = ContractParty.load()
    party.legal_name = party.legal_name or connection.tenant.name
    return party


def missing_details(project: Project) -> list[tuple[str, str]]:
    """(party, detail) of every detail the contract would print as a blank line, in the reader's language.

    An organisation that is not registered has no Unified Social Credit Code to give, so its absence is not
    reported for it (the contract still leaves the line blank)."""
    organisation, hub = project.application.organisation, _party_a()
    party_a, party_b = _("Party A (the hub)"), _("Party B (the organisation)")
    missing = [(party_a, str(label)) for name, label in PARTY_A_DETAILS if not getattr(hub, name)]
    for name, label in PARTY_B_DETAILS:
        if not getattr(organisation, name) and (name != "uscc" or organisation.is_registered):
            missing.append((party_b, str(label)))
    return missing


def _or_blank(value) -> str:
    return BLANK if value in (None, "") else str(value)


def _date(day) -> str:
    if day is None:
        return pgettext("blank date on a contract", "____-__-__")
    return pgettext("date on a contract", "%(year)d-%(month)02d-%(day)02d") % {
        "year": day.year,
        "month": day.month,
        "day": day.day,
    }


def _yuan(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def contract_pdf(project: Project) -> bytes:
    with translation.override(CONTRACT_LANGUAGE):
        return _contract_pdf(project)


def _contract_pdf(project: Project) -> bytes:
    """Laid out for text of any length the forms accept: every table has fixed column widths and wraps its
    cells as paragraphs (CJK wrapping breaks anywhere, so a long unbroken word cannot overflow), and the
    objectives and activities, which can be long, are paragraphs of their own that may cross a page."""
    from reportlab.platypus import KeepTogether

    doc = Document(base_size=11)
    heading, subheading = doc.heading, doc.subheading
    p, table = doc.p, doc.table
    application = project.application
    organisation = application.organisation
    party_a = _party_a()
    number = contract_number(project)

    def party(title, entity, details):
        return [
            p(title, subheading),
            table(
                [[label, _or_blank(getattr(entity, name))] for name, label in details],
                [1.6, 4.4],
                header=False,
            ),
        ]

    story = [
        p(_("Venture philanthropy project funding agreement"), doc.title),
        p(application.title, doc.subtitle),
        doc.space(8),
        p(_("Contract number: %(number)s") % {"number": number}),
        *party(_("Party A (the funder): %(name)s") % {"name": party_a.legal_name}, party_a, PARTY_A_DETAILS),
        *party(
            _("Party B (the implementing organisation): %(name)s") % {"name": organisation.name},
            organisation,
            PARTY_B_DETAILS,
        ),
        doc.space(6),
        p(
            _(
                "Under the Civil Code of the People's Republic of China and the rules of the call “%(call)s”, "
                "Party A funds Party B to carry out the project below. Having consulted on an equal footing, the "
                "parties agree as follows."
            )
            % {"call": application.call.title}
        ),
    ]

    # Article 1: the project.
    period = _("%(start)s to %(end)s") % {"start": _date(project.starts_on), "end": _date(project.ends_on)}
    due = project.final_report_due_on
    story += [
        p(_("Article 1. The project"), heading),
        table(
            [
                [_("project title"), application.title],
                [_("call"), application.call.title],
                [_("service field"), _or_blank(application.get_service_field_display())],
                [
                    _("target groups"),
                    _or_blank("、".join(str(TargetGroup(code).label) for code in application.target_groups)),
                ],
                [
                    _("beneficiaries"),
                    _or_blank(
                        None
                        if application.beneficiaries is None
                        else ngettext("%(count)s person", "%(count)s people", application.beneficiaries)
                        % {"count": application.beneficiaries}
                    ),
                ],
                [_("project period"), period],
                [
                    _("final report due on"),
                    _date(due) if due else _("within one month of the project's end"),
                ],
            ],
            [1.6, 4.4],
            header=False,
        ),
        p(_("Objectives and indicators"), subheading),
    ]
    terms = list(Term.values)  # short, medium, long: the order of the application, not the alphabet's
    objectives = sorted(application.objectives.all(), key=lambda o: (terms.index(o.term), o.pk))
    for position, o in enumerate(objectives, start=1):
        target = BLANK if o.target is None else f"{o.target.normalize():f}{o.unit}"
        story += [
            KeepTogether([p(f"{position}. {o.get_term_display()}", subheading)]),
            p(_("Objective: %(objective)s") % {"objective": o.description}),
            p(_("Indicator: %(indicator)s; target: %(target)s") % {"indicator": o.indicator, "target": target}),
        ]
    if not objectives:
        story.append(p(_("As in the application.")))

    # Article 2: the amount and the budget.
    lines = list(application.budget_lines.all())
    story += [
        p(_("Article 2. Funding"), heading),
        p(
            _("Party A funds the project with RMB %(figures)s yuan (in capitals: RMB %(capitals)s).")
            % {"figures": _yuan(project.award), "capitals": amount_in_capitals(project.award)}
        ),
        p(
            _(
                "Party B spends the funds only on this project, according to the budget below; a change to the "
                "budget needs Party A's written consent."
            )
        ),
        table(
            [[_("budget category"), pgettext("budget line", "item"), _("amount (yuan)")]]
            + [[line.get_category_display(), line.item, _yuan(line.amount)] for line in lines]
            + [[_("Total"), "", _yuan(sum((line.amount for line in lines), Decimal("0.00")))]],
            [2, 6, 2],
            numeric=(2,),
        )
        if lines
        else p(_("As in the application.")),
    ]

    # Article 3: the installments.
    installments = list(project.installments.all())
    story += [
        p(_("Article 3. Installments"), heading),
        p(
            _(
                "Party A pays the funds in the installments below, each once its condition is met, by bank transfer "
                "to Party B's account stated in this agreement. The last installment is paid only after the "
                "third-party evaluation has accepted the project."
            )
        ),
        table(
            [[_("installment"), _("share (%)"), _("amount (yuan)"), _("condition")]]
            + [
                [str(i.position), f"{i.percent.normalize():f}%", _yuan(i.amount), i.get_condition_display()]
                for i in installments
            ]
            + [
                [
                    _("Total"),
                    f"{sum((i.percent for i in installments), Decimal('0')).normalize():f}%",
                    _yuan(sum((i.amount for i in installments), Decimal("0.00"))),
                    "",
                ]
            ],
            [1.2, 1.2, 2, 5.6],
            numeric=(1, 2),
        ),
    ]

    # Articles 4 to 9: implementation, obligations, breach, disputes, entry into force.
    final_report = (
        _("4. Submit the final report by %(due)s.") % {"due": _date(due)}
        if due
        else _("4. Submit the final report within one month of the project's end.")
    )
    story += [
        p(_("Article 4. Implementation"), heading),
        p(application.activities or _("As in the application.")),
        p(_("Article 5. Party A's rights and obligations"), heading),
        p(_("1. Pay the installments as agreed in Article 3.")),
        p(
            _(
                "2. Organise the supervision, the mid-term review, the residents' appraisal and the third-party "
                "evaluation of the project, and give Party B guidance."
            )
        ),
        p(
            _(
                "3. Check at any time how the project is carried out and how the funds are used, and ask Party B "
                "for the records."
            )
        ),
        p(_("Article 6. Party B's rights and obligations"), heading),
        p(
            _(
                "1. Carry out the project as described in its application, record its activities and "
                "beneficiaries, and report, for every reporting period, what each objective's indicator reached."
            )
        ),
        p(
            _(
                "2. Use the funds only for this project, keep separate accounts and keep the invoices and vouchers "
                "of every expense."
            )
        ),
        p(
            _(
                "3. Accept the supervision, the mid-term review, the residents' appraisal and the third-party "
                "evaluation, and rectify what they find within the time set."
            )
        ),
        p(final_report),
        p(
            _(
                "5. Not hand the project over to another party, and tell Party A in writing, without delay, of any "
                "change of its responsible person, its bank account or the project's plan."
            )
        ),
        p(_("6. Protect the personal information of the beneficiaries and residents it learns through the project.")),
        p(_("Article 7. Liability for breach of contract"), heading),
        p(
            _(
                "1. If Party B diverts or withholds the funds, spends them on anything other than this project, or "
                "reports false information, Party A may stop paying the installments not yet paid and reclaim the "
                "funds misused; Party B returns them within the time Party A sets."
            )
        ),
        p(
            _(
                "2. If Party B does not deliver the project as agreed, or the evaluation grades it “fail”, Party A "
                "requires it to rectify within a time limit. If Party B does not rectify in time, or the "
                "rectification fails, Party A may terminate this agreement: the funds paid are settled according "
                "to what was actually and properly spent, Party B returns the rest, and the installments not yet "
                "paid are not paid."
            )
        ),
        p(
            _(
                "3. If Party A, without a proper reason, does not pay an installment whose condition is met, "
                "Party B may demand payment, and Party A pays without delay."
            )
        ),
        p(
            _(
                "4. Neither party is liable for a failure caused by force majeure; the party affected tells the "
                "other without delay, and the parties agree how the project continues."
            )
        ),
        p(_("Article 8. Settlement of disputes"), heading),
        p(
            _(
                "Any dispute arising from or related to this agreement is settled first by negotiation between the "
                "parties; if negotiation fails, either party may bring a lawsuit before the people's court of the "
                "place where Party A is located."
            )
        ),
        p(_("Article 9. Entry into force and copies"), heading),
        p(
            _(
                "1. This agreement takes effect when both parties' representatives have signed it and both parties "
                "have sealed it, and remains in force until the project is closed."
            )
        ),
        p(
            _(
                "2. Party B's application is an annex to this agreement. Matters this agreement does not cover are "
                "settled by a supplementary agreement, which has the same legal effect."
            )
        ),
        p(_("3. This agreement is made in two copies; each party holds one, and both have the same legal effect.")),
        p(_("(No text follows.)")),
        doc.space(18),
    ]

    # The signature block: the names recorded at the signing, or lines to sign on.
    signed_on = _date(project.signed_on)
    story.append(
        KeepTogether(
            table(
                [
                    [
                        _("Party A (seal): %(name)s") % {"name": party_a.legal_name},
                        _("Party B (seal): %(name)s") % {"name": organisation.name},
                    ],
                    ["\n\n", "\n\n"],  # room for the seals
                    [
                        _("Representative's signature: %(name)s") % {"name": _or_blank(project.signed_by_hub)},
                        _("Representative's signature: %(name)s") % {"name": _or_blank(project.signed_by_organisation)},
                    ],
                    [_("Date: %(date)s") % {"date": signed_on}, _("Date: %(date)s") % {"date": signed_on}],
                ],
                [1, 1],
                header=False,
                grid=False,
            )
        )
    )
    footer = _("Contract %(number)s · page %(page)s") % {"number": number, "page": "%(page)s"}
    return doc.build(story, title=application.title, author=party_a.legal_name, footer=footer)
