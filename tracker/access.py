"""Who may do what, decided here once. Every view reaches its objects through one of the
helpers below, named by what they grant; nothing else checks a role.

Three roles:

- plan administrators (`is_plan_admin`): hold the permission `tracker.administer_plans`,
  normally as members of the ADMINS_GROUP group (管理员); they import plans, edit them on
  the task page and see the access audit. They may also do everything a manager does;
- managers (督查, `is_manager`): hold `tracker.supervise`, normally as members of the
  MANAGERS_GROUP group (督查人员), and administrators; they see everything, decide sign-offs
  and extensions, and chase (催办);
- body staff (`body_of`): users with a Membership; they see and report on their own body's
  work and, read-only, the other bodies' work on the tasks and measures their body leads.
  The lead body also reviews the others' completion requests first (牵头单位初审), chases
  them and files the task's summary (汇总报送). Where a body requires it, its head
  (单位负责人, `is_body_head`) approves its clerks' drafts before they are filed; drafts are
  seen only inside the body.

A role comes only from those permissions, given through a group (or to the user directly in
the admin), never from the account's flags: `is_staff` only opens the Django admin, as Django
intends, and what a staff member may change there is again their model permissions (the
管理员 group carries the ones an administrator's work needs). A superuser -- the account that
runs the site -- has every power in the Django admin, but no business role in the app until
put in a group: who imports plans and who signs off work is the city's decision, recorded as
a membership. The groups are made by migration 0003, which gave them to the existing
superusers and the staff who already held plan permissions.

Whatever a user may not read answers 404, so nothing tells a stranger that it exists; what
they may read but not change answers 403.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker.models import (
    Assignment,
    Body,
    Bulletin,
    DraftFile,
    Evidence,
    ExtensionRequest,
    ImportDraft,
    Membership,
    Plan,
    Reminder,
    Report,
    ReportDraft,
    Task,
    with_states,
)

ADMINS_GROUP = "管理员"
MANAGERS_GROUP = "督查人员"
# The permissions that make the roles (tracker.models.Plan.Meta.permissions).
ADMINISTER_PLANS = "administer_plans"
SUPERVISE = "supervise"

# The role groups' permissions, as migration 0003 made them (tests/test_access.py checks
# the two lists stay the same): an administrator's Django admin work — the plan's structure,
# bodies and memberships, users, the history read-only, the login lockouts — and the role
# permission of each group.
_EDITABLE = ["plan", "category", "task", "measure", "target", "assignment", "body", "membership"]
_HISTORY = [
    "report",
    "evidence",
    "reportedvalue",
    "extensionrequest",
    "decision",
    "changerecord",
    "reminder",
    "accessrecord",
]
ROLE_GROUP_PERMISSIONS = {
    ADMINS_GROUP: {
        "tracker": [
            ADMINISTER_PLANS,
            *(f"{action}_{m}" for m in _EDITABLE for action in ("add", "change", "delete", "view")),
            *(f"view_{m}" for m in _HISTORY),
        ],
        "auth": ["add_user", "change_user", "view_user", "view_group"],
        "axes": [
            "view_accessattempt",
            "delete_accessattempt",
            "view_accesslog",
            "view_accessfailurelog",
        ],
    },
    MANAGERS_GROUP: {"tracker": [SUPERVISE]},
}

ROLE_LABELS = {
    "admin": gettext_lazy("管理员"),
    "manager": gettext_lazy("督查人员"),
    "staff": gettext_lazy("责任单位工作人员"),
    "none": gettext_lazy("未分配单位"),
}


# --- roles --------------------------------------------------------------------------------


def ensure_role_groups():
    """The two role groups with their permissions (ROLE_GROUP_PERMISSIONS), made where they
    are missing — migration 0003 made them once, and `manage.py flush` empties them with
    everything else; a group that exists keeps its members and gains what it lacks."""
    groups = {}
    for name, wanted in ROLE_GROUP_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        query = Q(pk__in=[])
        for app_label, codenames in wanted.items():
            query |= Q(content_type__app_label=app_label, codename__in=codenames)
        group.permissions.add(*Permission.objects.filter(query))
        groups[name] = group
    return groups


def _role_permissions(user):
    """The role permissions the user holds through a group or directly -- never through the
    superuser flag (see the module's docstring). One query per request, then cached."""
    cached = getattr(user, "_role_permissions", None)
    if cached is None:
        held = Permission.objects.filter(
            content_type__app_label="tracker", codename__in=[ADMINISTER_PLANS, SUPERVISE]
        ).filter(Q(group__user=user) | Q(user=user))
        cached = set(held.values_list("codename", flat=True))
        user._role_permissions = cached
    return cached


def is_plan_admin(user):
    """Plan administrators hold `tracker.administer_plans` (the 管理员 group)."""
    if not (user.is_authenticated and user.is_active):
        return False
    return ADMINISTER_PLANS in _role_permissions(user)


def is_manager(user):
    """Managers (the 督查人员 group) see and decide everything; plan administrators are
    managers too."""
    if not (user.is_authenticated and user.is_active):
        return False
    return bool({ADMINISTER_PLANS, SUPERVISE} & _role_permissions(user))


class UserBackend(ModelBackend):
    """Django's ModelBackend (settings.AUTHENTICATION_BACKENDS), reading the signed-in user
    of each request with their Membership and its body, which nearly every page asks for
    (body_of): one query where there were three."""

    def get_user(self, user_id):
        User = get_user_model()
        try:
            user = User._default_manager.select_related("membership__body").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


def body_of(user):
    """The body a user works for, or None."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_body"):
        # A missing Membership raises RelatedObjectDoesNotExist, an AttributeError.
        membership = getattr(user, "membership", None)
        user._body = membership.body if membership else None
    return user._body


def role_of(user):
    if is_plan_admin(user):
        return "admin"
    if is_manager(user):
        return "manager"
    if body_of(user) is not None:
        return "staff"
    return "none"


def require_plan_admin(user, message=None):
    """403 unless the user administers plans."""
    if not is_plan_admin(user):
        raise PermissionDenied(message or _("只有方案管理员可以进行此操作。"))


def require_manager(user):
    """403 unless the user is a manager (督查) or an administrator."""
    if not is_manager(user):
        raise PermissionDenied


# --- plans and tasks: every signed-in user reads their structure --------------------------


def get_plan(user, slug):
    return get_object_or_404(Plan, slug=slug)


def get_plan_to_archive(user, slug):
    """归档 and 恢复 a plan: administrators only."""
    require_plan_admin(user, _("只有方案管理员可以归档或恢复方案。"))
    return get_plan(user, slug)


def get_import_draft(user, key):
    """A plan uploaded to the web import, for the administrator who uploaded it (404 to
    anyone else: another administrator's upload does not exist for them)."""
    require_plan_admin(user, _("只有方案管理员可以导入方案。"))
    return get_object_or_404(ImportDraft.objects.select_related("plan"), key=key, uploaded_by=user)


def get_task(user, slug, number):
    return get_object_or_404(
        Task.objects.select_related("plan", "category"), plan__slug=slug, number=number
    )


def get_plan_to_edit(user, slug):
    """The plan's reporting calendar: administrators only, and not while it is archived."""
    require_plan_admin(user, _("只有方案管理员可以设定填报节奏。"))
    return _not_archived(get_plan(user, slug))


def get_task_to_edit(user, slug, number):
    """Plan edits (a deadline, a body) on the task page: administrators only."""
    require_plan_admin(user, _("只有方案管理员可以设定时限和责任单位。"))
    task = get_task(user, slug, number)
    _not_archived(task.plan)
    return task


def _not_archived(plan):
    """403 for an edit to an archived plan: its records are kept as they were when it was
    archived (归档), and its pages no longer offer the forms -- a form opened before another
    administrator archived it lands here."""
    if plan.is_archived:
        raise PermissionDenied(
            _("本方案已归档，记录保持归档时的样子：请先在方案页面恢复跟踪，再修改。")
        )
    return plan


# --- assignments and what hangs on them ---------------------------------------------------


def visible_assignments(user, queryset=None):
    """Managers read every assignment; body staff their own body's and, read-only, those of
    the tasks and measures their body leads (AssignmentQuerySet.visible_to_body). Of
    `queryset` when given (e.g. models.prebuilt), else of all assignments."""
    if queryset is None:
        queryset = Assignment.objects.all()
    if is_manager(user):
        return queryset
    body = body_of(user)
    if body is None:
        return queryset.none()
    return queryset.visible_to_body(body)


def get_assignment(user, pk, today=None):
    """Read: with its joins and states (`light`, `is_overdue`, …) for `today`."""
    today = today or timezone.localdate()
    assignment = get_object_or_404(visible_assignments(user).for_list(), pk=pk)
    # The states of one object by the Python twin (with_states): with_state()'s expressions,
    # built and compiled for a single row, cost more than the rest of the page.
    return with_states([assignment], today)[0]


def can_report(user, assignment):
    """Only staff of the assignment's own body report on it or ask for an extension, and
    not once its plan is archived (its records stay readable)."""
    body = body_of(user)
    return (
        body is not None
        and assignment.body_id == body.pk
        and assignment.task.plan.archived_at is None
    )


def get_assignment_to_report(user, pk):
    """Reports and extension requests: the assignment's own body (403 when read-only, 404
    when not visible at all). With its joins, not the states: its forms show no light, and
    building the state expressions alone cost a report POST 20 ms of its 40
    (issue 10). Its own body always sees the work, so visible_assignments() is asked only
    to choose between 403 and 404."""
    assignment = get_object_or_404(Assignment.objects.for_form(), pk=pk)
    if not can_report(user, assignment):
        if not visible_assignments(user).filter(pk=pk).exists():
            raise Http404
        raise PermissionDenied
    return assignment


def get_assignment_to_decide(user, pk, today=None):
    """Sign-off decisions (销号审核): managers only."""
    assignment = get_assignment(user, pk, today)
    require_manager(user)
    return assignment


def get_report(user, pk):
    return get_object_or_404(
        Report.objects.select_related("assignment__task__plan", "assignment__body")
        .prefetch_related("values")
        .filter(assignment__in=visible_assignments(user)),
        pk=pk,
    )


def get_evidence(user, pk):
    return get_object_or_404(
        Evidence.objects.filter(report__assignment__in=visible_assignments(user)), pk=pk
    )


def get_extension_to_decide(user, pk):
    """Extension decisions (延期审批): managers only."""
    extension = get_object_or_404(
        ExtensionRequest.objects.select_related(
            "assignment__task__plan", "assignment__measure", "assignment__body", "requested_by"
        ).filter(assignment__in=visible_assignments(user)),
        pk=pk,
    )
    require_manager(user)
    return extension


# --- bodies: their contacts -------------------------------------------------------------


def get_body_to_edit(user, pk):
    """A body's 责任人 and contacts: administrators only."""
    require_plan_admin(user, _("只有方案管理员可以修改单位联系人。"))
    return get_object_or_404(Body, pk=pk)


# --- issued bulletins (通报) ---------------------------------------------------------------


def visible_bulletins(user):
    """Managers read every issued bulletin; body staff those that name their body (a
    bulletin circulates whole to the bodies it names); nobody else any."""
    if is_manager(user):
        return Bulletin.objects.all()
    body = body_of(user)
    if body is None:
        return Bulletin.objects.none()
    return Bulletin.objects.filter(named_bodies=body)


def get_bulletin(user, pk):
    return get_object_or_404(visible_bulletins(user).select_related("plan"), pk=pk)


# --- the review chain: lead bodies, in-body approval, receipts -----------------------------


def leads_assignment(user, assignment):
    """True for staff of the body that leads the assignment's work (Assignment.lead_body)."""
    body = body_of(user)
    return body is not None and assignment.lead_body() == body


def leads_task(user, task):
    """True for staff of the task's lead body (the task-level lead)."""
    body = body_of(user)
    return (
        body is not None
        and task.assignments.filter(
            body=body, role=Assignment.Role.LEAD, measure__isnull=True
        ).exists()
    )


def sees_whole_task(user, task):
    """Who sees every body's dates, lights, progress and the roll-up on a task page:
    managers and the task's lead body. Other staff see the other bodies' names and roles."""
    return is_manager(user) or leads_task(user, task)


def get_assignment_to_review_as_lead(user, pk, today=None):
    """牵头单位初审 of a completion request: staff of the body that leads the work."""
    assignment = get_assignment(user, pk, today)
    if not leads_assignment(user, assignment):
        raise PermissionDenied
    return assignment


def get_assignment_to_chase(user, pk, today=None):
    """催办: managers, and staff of the body that leads the work (提醒 and 催办 only)."""
    assignment = get_assignment(user, pk, today)
    if not (is_manager(user) or leads_assignment(user, assignment)):
        raise PermissionDenied
    return assignment


def get_task_to_summarise(user, slug, number):
    """汇总报送: staff of the task's lead body."""
    task = get_task(user, slug, number)
    if not leads_task(user, task):
        raise PermissionDenied
    return task


def is_body_head(user):
    """单位负责人: the head of the body the user works for."""
    body = body_of(user)
    return body is not None and user.membership.role == Membership.Role.HEAD


def files_directly(user, assignment):
    """Whether a report by this user is filed at once, or saved as a draft for the head's
    approval: the body requires approval and the user is not its head."""
    return not assignment.body.requires_approval or is_body_head(user)


def visible_drafts(user):
    """Drafts are seen inside their body only — not by managers, not by the lead body."""
    body = body_of(user)
    if body is None:
        return ReportDraft.objects.none()
    return ReportDraft.objects.filter(assignment__body=body)


def get_draft(user, pk):
    return get_object_or_404(
        visible_drafts(user).select_related(
            "assignment__task__plan", "assignment__measure", "assignment__body", "author"
        ),
        pk=pk,
    )


def get_draft_to_approve(user, pk):
    """审核 a draft: the body's head."""
    draft = get_draft(user, pk)
    if not is_body_head(user):
        raise PermissionDenied
    return draft


def may_set_aside(user, draft):
    """撤回 or 作废 a draft: its clerk, or the body's head (the services say which of them
    may do what, in which state)."""
    return draft.author_id == user.pk or is_body_head(user)


def get_draft_to_set_aside(user, pk):
    draft = get_draft(user, pk)
    if not may_set_aside(user, draft):
        raise PermissionDenied(_("只有经办人本人或单位负责人可以处理这份草稿。"))
    return draft


def get_draft_file(user, pk):
    return get_object_or_404(DraftFile.objects.filter(draft__in=visible_drafts(user)), pk=pk)


def get_reminder_to_acknowledge(user, pk):
    """签收 a reminder: staff of the body it was sent to (others who may read it: 403)."""
    reminder = get_object_or_404(
        Reminder.objects.select_related("assignment").filter(
            assignment__in=visible_assignments(user)
        ),
        pk=pk,
    )
    if not can_report(user, reminder.assignment):
        raise PermissionDenied
    return reminder
