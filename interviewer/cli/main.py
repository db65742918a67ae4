"""The `interviewer` command: its groups, one module each. Their imports stay inside the commands,
so `interviewer --help` is instant."""

from __future__ import annotations

import click

from interviewer.cli.chat import chat
from interviewer.cli.db import db_group
from interviewer.cli.drill import drill
from interviewer.cli.eval import eval_group
from interviewer.cli.loop import loop_group
from interviewer.cli.personas import personas
from interviewer.cli.serve import serve
from interviewer.cli.sessions import report_command, sessions
from interviewer.cli.users import users


@click.group()
@click.version_option(package_name="interviewer")
def main() -> None:
    """Rehearse ML interviews: a recruiter screen, a technical ML round, a hiring-manager fit
    and a research scientist reviewing your take-home, with rubric-based feedback."""


main.add_command(chat)
main.add_command(loop_group)
main.add_command(drill)
main.add_command(eval_group)
main.add_command(db_group)
main.add_command(serve)
main.add_command(personas)
main.add_command(sessions)
main.add_command(report_command)
main.add_command(users)
