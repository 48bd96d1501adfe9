"""Funded projects' services, one module per stage, in the order a project lives them (nothing imports a later
stage's module except ``steps``):

- ``lifecycle``: the PROJECT workflow, who may see and act, notifications, the one ``_step`` runner;
- ``contract``: contract, installments, supervisor and evaluator assignments;
- ``final_account``: the approved budget per line, the financial statement (决算) of the final report, and the
  hub's acceptance or return of that report;
- ``implementation``: activities and indicator reports;
- ``supervision``: visits, rectifications, the mid-term review, the final report and its reminders;
- ``appraisal``: the residents' appraisal;
- ``evaluation``: third-party evaluation, acceptance, termination;
- ``evidence``: files backing the record (佐证材料): who adds and removes them, who may read them;
- ``steps``: the back office's buttons by name, and opening the projects of final awards.

Everything public is re-exported here, so callers keep ``from incubator.projects import services``.
"""

from incubator.projects.services.appraisal import (  # noqa: F401
    APPRAISAL_FREE_PER_ADDRESS,
    APPRAISAL_PER_ADDRESS_PER_HOUR,
    PUBLISHED_COMMENTS,
    SMALL_SAMPLE,
    appraisal_comments,
    appraisal_needs_challenge,
    appraisal_results,
    cast_ballot,
    moderate_comment,
    normalise_phone,
    publish_appraisal,
    published_comments,
    start_appraisal,
)
from incubator.projects.services.contract import (  # noqa: F401
    assign_evaluator,
    assign_supervisor,
    call_split,
    create_project,
    meet_condition,
    money_summary,
    release_installment,
    sign_contract,
    split_award,
)
from incubator.projects.services.corrections import (  # noqa: F401
    correct_activity,
    correct_report,
    mark_reviewed,
)
from incubator.projects.services.evaluation import (  # noqa: F401
    accept_project,
    start_evaluation,
    submit_evaluation,
    terminate_project,
)
from incubator.projects.services.evidence import (  # noqa: F401
    MAX_FILES_PER_RECORD,
    PUBLISHABLE,
    add_evidence,
    closed_reason,
    evidence_by_record,
    evidence_for,
    find_record,
    public_photos,
    record_key,
    remove_evidence,
    set_public,
)
from incubator.projects.services.final_account import (  # noqa: F401
    Statement,
    accept_final_report,
    approved_budget,
    current_final_report,
    parse_spending,
    return_final_report,
    spending_field,
    spending_note_field,
    statement_of,
    statement_problems,
)
from incubator.projects.services.implementation import (  # noqa: F401
    REPORT_STATES,
    achieved,
    beneficiaries_reached,
    final_report_problems,
    progress,
    publish_progress,
    record_activity,
    submit_report,
)
from incubator.projects.services.lifecycle import (  # noqa: F401
    APPRAISAL_ORGANISERS,
    BUTTONS,
    CENT,
    DECISIONS,
    IMPLEMENTING,
    MEMBERS,
    PROJECT,
    RECTIFIABLE,
    REMIND_DAYS_BEFORE,
    RESUME,
    REVIEWERS,
    UNFINISHED,
    WAITING_FOR_OPERATORS,
    S,
    add_months,
    projects_for,
)
from incubator.projects.services.steps import (  # noqa: F401
    open_projects_for_awards,
    take_step,
)
from incubator.projects.services.supervision import (  # noqa: F401
    answer_rectification,
    ask_for_final_report,
    final_report_reminders,
    flag_overdue_rectifications,
    record_mid_term_review,
    record_visit,
    require_rectification,
    review_rectification,
    start_mid_term_review,
)
