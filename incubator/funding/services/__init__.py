"""Services package: see each module. Everything public is re-exported here, so
callers keep ``from incubator.funding import services``."""

from incubator.funding.services.allocation import (  # noqa: F401
    aggregate,
    answer_partial_funding,
    confirm_allocation,
    models_sum,
    offer_partial_funding,
    propose_allocation,
    ranking,
    set_override,
)
from incubator.funding.services.applications import (  # noqa: F401
    DRAFT_FIELDS,
    eligibility_problems,
    save_draft,
    screen,
    start_application,
    submission_problems,
    submit_application,
)
from incubator.funding.services.calls import (  # noqa: F401
    APPLICANTS,
    APPLICATION,
    CALL,
    CALL_SETUP_FIELDS,
    CENT,
    close_call_now,
    close_due_calls,
    copy_rubric,
    create_call,
    delete_quota,
    delete_standard,
    open_call,
    reopen_call,
    rubric_problems,
    save_quota,
    save_rubric,
    save_standard,
    start_review,
    update_call,
)
from incubator.funding.services.notice import (  # noqa: F401
    OBJECTION_EMAILS_PER_NOTICE,
    OBJECTION_EXCERPT,
    OBJECTION_MAX_LENGTH,
    OBJECTIONS_PER_ADDRESS,
    OBJECTIONS_PER_ADDRESS_AND_NOTICE,
    OBJECTIONS_PER_NOTICE,
    applicant_view,
    close_notices,
    lodge_objection,
    publish_notice,
    release_feedback,
    resolve_objections,
)
from incubator.funding.services.review import (  # noqa: F401
    assign_experts,
    assignments_for,
    declare_conflict,
    missing_scores,
    save_score_draft,
    score_value,
    scores_visible_to,
    submit_scores,
    weighted_total,
    withdraw_assignment,
)
