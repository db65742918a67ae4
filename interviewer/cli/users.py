"""`interviewer users`: the users of a server that needs API tokens, and their tokens."""

from __future__ import annotations

import click

from interviewer.cli.common import load_settings, open_db


@click.group()
def users() -> None:
    """Users and their API tokens (needed when the server is exposed)."""


@users.command("add")
@click.argument("name")
def users_add(name: str) -> None:
    """Add a user and print their API token, once, on its own line."""
    from interviewer.ops import tokens as tokens_module
    from interviewer.storage import queries

    with open_db(load_settings()) as db:
        if queries.get_user_by_name(db=db, name=name) is not None:
            raise click.ClickException(f"a user named {name!r} exists; choose another name, or `interviewer users token {name}`")
        _user, token = tokens_module.create_user(db=db, name=name)
    click.echo(f"Created user {name}. Their API token (shown only now; send it as `Authorization: Bearer TOKEN`):", err=True)
    click.echo(token)


@users.command("token")
@click.argument("name")
def users_token(name: str) -> None:
    """Give a user a new API token, revoking their old ones; prints it once."""
    from interviewer.ops import tokens as tokens_module
    from interviewer.storage import queries

    with open_db(load_settings()) as db:
        user = queries.get_user_by_name(db=db, name=name)
        if user is None:
            raise click.ClickException(f"no user named {name!r}; add one with `interviewer users add {name}`")
        queries.revoke_tokens(db=db, user_id=user.id)
        token = tokens_module.new_token()
        queries.add_token(db=db, user_id=user.id, token_hash=tokens_module.hash_token(token))
    click.echo(f"New API token for {name} (the old ones no longer work):", err=True)
    click.echo(token)


@users.command("revoke")
@click.argument("name")
def users_revoke(name: str) -> None:
    """Revoke every API token of a user (their sessions stay)."""
    from interviewer.storage import queries

    with open_db(load_settings()) as db:
        user = queries.get_user_by_name(db=db, name=name)
        if user is None:
            raise click.ClickException(f"no user named {name!r}")
        count = queries.revoke_tokens(db=db, user_id=user.id)
    click.echo(f"Revoked {count} token{'s' if count != 1 else ''} of {name}.")


@users.command("list")
def users_list() -> None:
    """Every user, with when they were added."""
    from interviewer.storage import queries

    with open_db(load_settings()) as db:
        for user in queries.list_users(db=db):
            click.echo(f"{user.name:<24} added {user.created_at:%Y-%m-%d %H:%M}")
