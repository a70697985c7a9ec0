"""Problems had two statuses (open, closed); the flow has four. An open problem is 待整改
(todo); a closed one is 已销号 (its value, "closed", is unchanged)."""

from django.db import migrations


def forwards(apps, schema_editor):
    Problem = apps.get_model("projects", "Problem")
    Problem.objects.filter(status="open").update(status="todo")


def backwards(apps, schema_editor):
    Problem = apps.get_model("projects", "Problem")
    Problem.objects.exclude(status="closed").update(status="open")


class Migration(migrations.Migration):
    dependencies = [("projects", "0002_problem_flow")]

    operations = [migrations.RunPython(forwards, backwards)]
