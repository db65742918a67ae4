"""Dependencies shared by the routes: settings, catalog and a database session per request.

The ones that only read app.state are async: FastAPI runs a sync dependency in a worker thread,
and three thread hops per request were a fifth of an answer's request handling (py-spy)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.engine import Engine
from sqlmodel import Session

from interviewer.catalog.loading import Catalog
from interviewer.models.llm import Models
from interviewer.ops.settings import Settings


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_catalog(request: Request) -> Catalog:
    return request.app.state.catalog


async def get_models(request: Request) -> Models:
    return request.app.state.models


async def get_engine(request: Request) -> Engine:
    return request.app.state.engine


def get_db(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
CatalogDep = Annotated[Catalog, Depends(get_catalog)]
EngineDep = Annotated[Engine, Depends(get_engine)]
SessionDep = Annotated[Session, Depends(get_db)]
ModelsDep = Annotated[Models, Depends(get_models)]
