"""Request bodies that carry documents (job description, CV, take-home): JSON, or a multipart form
whose files are read into text, each within its limit and with a 4xx that names what to fix."""

from __future__ import annotations

from typing import TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile as StarletteUploadFile
import anyio

from interviewer.api.schemas import SessionCreate
from interviewer.interview import documents
from interviewer.interview import errors
from interviewer.ops.settings import Settings
from interviewer.ops.threads import long_reads


DOCUMENT_FIELDS = ("job_description", "cv", "takehome")


SESSION_FORM = {
    "type": "object",
    "required": ["persona_id"],
    "additionalProperties": False,
    "properties": {
        "persona_id": {"type": "string"},
        "language": {"type": "string", "enum": ["en", "fr"]},
        "mode": {"type": "string", "enum": ["interview", "drill"]},
        **{name: {"type": "string", "format": "binary", "description": "a .md, .txt, .ipynb or .pdf file, or the text itself"} for name in DOCUMENT_FIELDS},
    },
}


async def session_body(request: Request, settings: Settings) -> SessionCreate:
    """The new session's fields, from JSON or from a multipart form whose documents may be files."""
    return await document_body(request, settings, SessionCreate)


BodyT = TypeVar("BodyT", bound=BaseModel)


async def document_body(request: Request, settings: Settings, schema: type[BodyT], filenames: dict[str, str] | None = None) -> BodyT:
    """A body of `schema`, from JSON or from a multipart form whose documents may be files (read
    as text; each file's name goes in `filenames` when given). Used by sessions and loops."""
    content_type = request.headers.get("content-type", "")
    try:
        if not content_type.startswith("multipart/form-data"):
            return schema.model_validate_json(await request.body())
        form = await request.form(max_files=len(DOCUMENT_FIELDS), max_fields=10, max_part_size=settings.max_upload_bytes)
        fields: dict[str, str] = {}
        for name, value in form.multi_items():
            if isinstance(value, StarletteUploadFile):
                if name not in DOCUMENT_FIELDS:
                    raise RequestValidationError([{"type": "value_error", "loc": ("body", name), "msg": f"{name}: files are accepted only in {', '.join(DOCUMENT_FIELDS)}", "input": None}])
                data = await value.read(settings.max_upload_bytes + 1)
                if len(data) > settings.max_upload_bytes:
                    raise errors.InputTooLarge(f"{name}: the file is over the upload limit of {settings.max_upload_bytes} bytes")
                limits = documents.PdfLimits(
                    max_pages=settings.max_pdf_pages, max_chars=settings.max_document_chars, max_seconds=settings.pdf_read_seconds,
                )
                filename = value.filename or name
                if filenames is not None:
                    filenames[name] = filename
                try:
                    # Parsing a PDF or a notebook may take seconds: on the long-read threads, so turns go on.
                    fields[name] = await anyio.to_thread.run_sync(documents.read_document, filename, data, limits, limiter=long_reads())
                except documents.DocumentTooLarge as exc:
                    raise errors.InputTooLarge(f"{name}: {exc}") from exc
                except documents.DocumentError as exc:
                    raise errors.InvalidInput(f"{name}: {exc}") from exc
            else:
                fields[name] = value
        return schema.model_validate(fields)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False)) from exc
