"""访问记录: who downloaded which evidence file and who exported what. Each record is written
before the file leaves the server, in its own transaction, so a download or an export that
could not be recorded is not served (the view answers with an error instead)."""

from django.db import transaction

from tracker.models import AccessRecord


def _user_name(user):
    return user.get_full_name() or user.get_username()


@transaction.atomic
def record_download(*, user, evidence, client_address=None):
    """Record that `user` downloaded one evidence file."""
    report = evidence.report
    record = AccessRecord(
        user=user,
        user_name=_user_name(user),
        kind=AccessRecord.Kind.EVIDENCE,
        evidence=evidence,
        subject=f"{evidence.original_name}（{report.assignment.body.name} · #{report.pk}）"[:300],
        client_address=client_address,
    )
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def record_export(*, user, subject, filters, query, rows, client_address=None):
    """Record that `user` exported `rows` rows of `subject` (a file name), with the filters in
    words and the query string they came from."""
    record = AccessRecord(
        user=user,
        user_name=_user_name(user),
        kind=AccessRecord.Kind.EXPORT,
        subject=subject[:300],
        filters=filters,
        query=query,
        rows=rows,
        client_address=client_address,
    )
    record.full_clean()
    record.save()
    return record
