"""``/entities/{id}/attrs``: append, update, partially update, replace and delete attributes."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request, Response
from sqlalchemy.orm import Session

from citybase.context.api import params
from citybase.context.api.common import fragment_of, in_thread, new_router, raw_path_params, require_object
from citybase.context.api.deps import active_context, audit, can_write
from citybase.context.api.nulls import is_null_value
from citybase.context.api.negotiation import read_body
from citybase.context.api.render import no_content
from citybase.context.entity_expand import (
    CORE_MEMBERS,
    expand_attribute,
    expand_attribute_name,
    expand_attributes,
    expand_types,
)
from citybase.context.errors import BadRequestData
from citybase.context.i18n import _
from citybase.context.jsonld.context import ActiveContext
from citybase.context.service.entities import AttrResult, Workspace
from citybase.context.uris import check_uri
from citybase.core.auth.deps import get_session
from citybase.core.db import utcnow

router = new_router()


def update_result(result: AttrResult, active: ActiveContext) -> Response:
    """204 when every attribute was written, else 207 with the UpdateResult body."""
    if not result.not_updated:
        return no_content()
    from fastapi.responses import JSONResponse

    body = {
        "updated": [active.compact_iri(iri) for iri in result.updated],
        "notUpdated": [{"attributeName": active.compact_iri(iri), "reason": reason}
                       for iri, reason in result.not_updated],
    }
    return JSONResponse(body, status_code=207)


@router.post("/entities/{entity_id}/attrs")
@router.post("/entities/{entity_id}/attrs/", include_in_schema=False)
async def append_attributes(entity_id: str, request: Request, session: Session = Depends(get_session),
                            _principal: Any = Depends(can_write)) -> Response:
    entity_id, _attr = raw_path_params(request, entity_id)
    params.check_names(request, params.WRITE_OPTIONS)
    check_uri(entity_id, "Entity id")
    no_overwrite = "noOverwrite" in params.options(request)
    body, context = await read_body(request)
    active = active_context(context.value)
    attrs = expand_attributes(fragment_of(require_object(body, _("attribute append"))), active)

    def work() -> AttrResult:
        workspace = Workspace(session, utcnow())
        result = workspace.append(entity_id, attrs, overwrite=not no_overwrite)
        workspace.commit()
        audit(session, "update", "append", [entity_id])
        session.commit()
        return result

    return update_result(await in_thread(work), active)


@router.patch("/entities/{entity_id}/attrs")
@router.patch("/entities/{entity_id}/attrs/", include_in_schema=False)
async def update_attributes(entity_id: str, request: Request, session: Session = Depends(get_session),
                            _principal: Any = Depends(can_write)) -> Response:
    entity_id, _attr = raw_path_params(request, entity_id)
    params.check_names(request, params.NONE)
    check_uri(entity_id, "Entity id")
    body, context = await read_body(request)
    active = active_context(context.value)
    whole = require_object(body, _("attribute update"))
    # A type in the fragment is added to the entity's types.
    types = expand_types(whole.get("type", whole.get("@type")), active, required=False)
    fragment = fragment_of(whole)
    # An attribute set to the NGSI-LD null is deleted (its instance, when a datasetId is given).
    deletions = [(expand_attribute_name(name, active), value.get("datasetId") if isinstance(value, dict) else None)
                 for name, value in fragment.items() if is_null_value(value)]
    attrs = expand_attributes({k: v for k, v in fragment.items() if not is_null_value(v)}, active)

    def work() -> AttrResult:
        workspace = Workspace(session, utcnow())
        workspace.add_types(entity_id, types)
        result = workspace.update(entity_id, attrs)
        for attr_iri, dataset_id in deletions:
            if workspace.has_instance(entity_id, attr_iri, dataset_id):
                workspace.delete_attribute(entity_id, attr_iri, dataset_id, delete_all=False)
                result.updated.append(attr_iri)
            else:
                result.not_updated.append((attr_iri, _("Attribute or datasetId does not exist.")))
        workspace.commit()
        audit(session, "update", "update", [entity_id])
        session.commit()
        return result

    return update_result(await in_thread(work), active)


@router.patch("/entities/{entity_id}/attrs/{attr_id}", status_code=204)
async def patch_attribute(entity_id: str, attr_id: str, request: Request, session: Session = Depends(get_session),
                          _principal: Any = Depends(can_write)) -> Response:
    entity_id, attr_id = raw_path_params(request, entity_id, attr_id)
    params.check_names(request, params.NONE)
    check_uri(entity_id, "Entity id")
    body, context = await read_body(request, allow_merge_patch=True)
    active = active_context(context.value)
    attr_iri = expand_attribute_name(attr_id, active)
    fragment = _shallow_expand(require_object(body, _("attribute patch")), active)
    delete = is_null_value(fragment)

    def work() -> None:
        workspace = Workspace(session, utcnow())
        if delete:  # the NGSI-LD null deletes the attribute instance
            workspace.delete_attribute(entity_id, attr_iri, fragment.get("datasetId"), delete_all=False)
        else:
            workspace.patch_attribute(entity_id, attr_iri, fragment,
                                      lambda merged: expand_attribute(attr_iri, attr_id, merged, active)[0])
        workspace.commit()
        audit(session, "update", "patch attribute", [entity_id])
        session.commit()

    await in_thread(work)
    return no_content()


@router.put("/entities/{entity_id}/attrs/{attr_id}", status_code=204)
async def replace_attribute(entity_id: str, attr_id: str, request: Request, session: Session = Depends(get_session),
                            _principal: Any = Depends(can_write)) -> Response:
    entity_id, attr_id = raw_path_params(request, entity_id, attr_id)
    params.check_names(request, params.NONE)
    check_uri(entity_id, "Entity id")
    body, context = await read_body(request)
    active = active_context(context.value)
    attr_iri = expand_attribute_name(attr_id, active)
    raw = {k: v for k, v in require_object(body, _("attribute replacement")).items() if k != "@context"}
    instances = expand_attribute(attr_iri, attr_id, raw, active)

    def work() -> None:
        workspace = Workspace(session, utcnow())
        workspace.replace_attribute(entity_id, attr_iri, instances)
        workspace.commit()
        audit(session, "update", "replace attribute", [entity_id])
        session.commit()

    await in_thread(work)
    return no_content()


@router.delete("/entities/{entity_id}/attrs/{attr_id}", status_code=204)
async def delete_attribute(entity_id: str, attr_id: str, request: Request, session: Session = Depends(get_session),
                           _principal: Any = Depends(can_write)) -> Response:
    entity_id, attr_id = raw_path_params(request, entity_id, attr_id)
    from citybase.context.api.negotiation import link_context

    params.check_names(request, params.DELETE_ATTR)
    check_uri(entity_id, "Entity id")
    active = active_context(link_context(request).value)
    attr_iri = expand_attribute_name(attr_id, active)
    dataset_id = request.query_params.get("datasetId")
    if dataset_id is not None:
        check_uri(dataset_id, "datasetId")
    delete_all = params.boolean(request, "deleteAll")

    def work() -> None:
        workspace = Workspace(session, utcnow())
        workspace.delete_attribute(entity_id, attr_iri, dataset_id, delete_all)
        workspace.commit()
        audit(session, "update", "delete attribute", [entity_id])
        session.commit()

    await in_thread(work)
    return no_content()


def _shallow_expand(fragment: dict[str, Any], active: ActiveContext) -> dict[str, Any]:
    """Expand the sub-attribute names of a partial attribute; core members keep their names."""
    result: dict[str, Any] = {}
    for key, value in fragment.items():
        if key == "@context":
            continue
        if key in CORE_MEMBERS:
            result[key] = value
        elif key.startswith("@"):
            raise BadRequestData(_("Member {member!r} is not allowed in an attribute."), member=key)
        else:
            result[expand_attribute_name(key, active)] = value
    return result
