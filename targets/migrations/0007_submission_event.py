"""A week's history as one row per move (submit, approve, return, unlock), each with its
own comment. Existing weeks get their moves back from their django-simple-history records:
every change of status between two consecutive records is one move, by the record's user,
at its time, with the comment it carried (an unlock's reason was its change reason)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MOVES = {
    ("draft", "submitted"): "submit",
    ("returned", "submitted"): "submit",
    ("submitted", "approved"): "approve",
    ("submitted", "returned"): "return",
    ("approved", "draft"): "unlock",
}
# A week created already past draft (the demo writes whole weeks at once): the moves that
# led there, dated by the week's own submitted/reviewed times.
CREATED = {
    "submitted": ("submit",),
    "approved": ("submit", "approve"),
    "returned": ("submit", "return"),
}


def backfill(apps, schema_editor):
    Submission = apps.get_model("targets", "Submission")
    SubmissionEvent = apps.get_model("targets", "SubmissionEvent")
    HistoricalSubmission = apps.get_model("targets", "HistoricalSubmission")
    live = set(Submission.objects.values_list("pk", flat=True))
    events = []
    previous = None
    for record in HistoricalSubmission.objects.order_by("id", "history_date", "history_id").iterator():
        if record.id not in live:
            previous = None
            continue
        if previous is None or previous.id != record.id:
            if record.history_type == "+" and record.status in CREATED:
                for move in CREATED[record.status]:
                    submit = move == "submit"
                    events.append(
                        SubmissionEvent(
                            submission_id=record.id,
                            move=move,
                            from_status="draft" if submit else "submitted",
                            to_status="submitted" if submit else record.status,
                            user_id=record.submitted_by_id if submit else record.reviewed_by_id,
                            at=(record.submitted_at if submit else record.reviewed_at) or record.history_date,
                            comment="" if submit else record.comment,
                        )
                    )
        elif previous.status != record.status and (previous.status, record.status) in MOVES:
            move = MOVES[(previous.status, record.status)]
            comment = ""
            if move in ("approve", "return"):
                comment = record.comment
            elif move == "unlock":
                comment = record.history_change_reason or ""
            events.append(
                SubmissionEvent(
                    submission_id=record.id,
                    move=move,
                    from_status=previous.status,
                    to_status=record.status,
                    user_id=record.history_user_id,
                    at=record.history_date,
                    comment=comment,
                )
            )
        previous = record
    SubmissionEvent.objects.bulk_create(events, batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ('targets', '0006_submission_first_submitted_at'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='SubmissionEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('move', models.CharField(choices=[('submit', '提交'), ('approve', '审核通过'), ('return', '退回'), ('unlock', '解锁')], max_length=20, verbose_name='操作')),
                ('from_status', models.CharField(choices=[('draft', '草稿'), ('submitted', '已提交'), ('approved', '已审核'), ('returned', '已退回')], max_length=20, verbose_name='原状态')),
                ('to_status', models.CharField(choices=[('draft', '草稿'), ('submitted', '已提交'), ('approved', '已审核'), ('returned', '已退回')], max_length=20, verbose_name='新状态')),
                ('at', models.DateTimeField(verbose_name='时间')),
                ('comment', models.TextField(blank=True, verbose_name='意见或原因')),
                ('submission', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='targets.submission', verbose_name='周报')),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': '周报记录',
                'verbose_name_plural': '周报记录',
                'ordering': ['at', 'pk'],
                'indexes': [models.Index(fields=['submission', 'at'], name='targets_subevent_sub_at')],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
