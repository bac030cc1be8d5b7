"""Entity and attribute operations of NGSI-LD (ETSI GS CIM 009 V1.6.1).

A :class:`Workspace` loads the entities one request touches, applies the
operations in order (so a batch that names an entity twice behaves as two
requests in sequence), and saves every change at once. Attribute instances are
matched by datasetId; the default instance has none. System times
(``createdAt``, ``modifiedAt``) are kept on the entity and on each top-level
attribute instance.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from citybase.context.entity_expand import GEO_PROPERTY, VALUE_MEMBERS, ExpandedEntity
from citybase.context.errors import AlreadyExists, BadRequestData, ResourceNotFound
from citybase.context.i18n import _
from citybase.context.scope import SCOPE_IRI, stored_scopes
from citybase.context.service.events import CREATED, DELETED, UPDATED, EntityChange, publish
from citybase.context.service.store import Change, EntityStore, StoredEntity
from citybase.context.times import format_datetime

# Merge-patch deletes an attribute whose value is this URI or JSON null.
NULL_URI = "urn:ngsi-ld:null"

Instances = list[dict[str, Any]]


@dataclass
class AttrResult:
    """Outcome of an attribute operation: names updated and names not updated with a reason."""

    updated: list[str] = field(default_factory=list)
    not_updated: list[tuple[str, str]] = field(default_factory=list)


class Workspace:
    """The entities of one request, their pending changes and the request time."""

    def __init__(self, session: Session, now: dt.datetime) -> None:
        self.store = EntityStore(session)
        self.now = now
        self.stamp = format_datetime(now)
        self.entities: dict[str, StoredEntity | None] = {}
        self.changes: dict[str, Change] = {}
        self.removed: dict[str, StoredEntity] = {}
        # The attributes each entity had when loaded: created attributes are told from updated
        # ones with them, and notifications with showChanges show the previous values.
        self.original_attrs: dict[str, dict[str, Instances]] = {}

    # ---- loading and saving -----------------------------------------------------------

    def preload(self, entity_ids: list[str]) -> None:
        missing = [i for i in entity_ids if i not in self.entities]
        found = self.store.load(missing)
        for entity_id in missing:
            entity = self.entities[entity_id] = found.get(entity_id)
            self.original_attrs[entity_id] = entity.attrs if entity is not None else {}

    def get(self, entity_id: str) -> StoredEntity | None:
        if entity_id not in self.entities:
            self.preload([entity_id])
        return self.entities[entity_id]

    def require(self, entity_id: str) -> StoredEntity:
        entity = self.get(entity_id)
        if entity is None:
            raise ResourceNotFound(_("Entity {id!r} was not found."), id=entity_id)
        return entity

    def commit(self) -> None:
        """Write every pending change and publish the change events; the caller commits."""
        created = {entity_id for entity_id, c in self.changes.items() if c.entity.pk is None}
        if self.removed:
            self.store.delete(list(self.removed.values()))
        self.store.save(list(self.changes.values()), self.now)
        events = []
        for entity_id, change in self.changes.items():
            written = frozenset(iri for iri, _instance in change.written)
            deleted = frozenset(iri for iri, _d in change.deleted)
            original = {} if entity_id in created else self.original_attrs.get(entity_id, {})
            events.append(EntityChange(
                CREATED if entity_id in created else UPDATED, change.entity, written | deleted, deleted,
                written - frozenset(original),
                {iri: original[iri] for iri in sorted(written | deleted) if iri in original},
            ))
        events += [EntityChange(DELETED, entity, frozenset(entity.attrs)) for entity in self.removed.values()]
        publish(self.store.session, events)

    def _change(self, entity: StoredEntity) -> Change:
        change = self.changes.get(entity.id)
        if change is None:
            change = self.changes[entity.id] = Change(entity, original=self.original_attrs.get(entity.id))
        entity.modified_at = self.now
        return change

    # ---- entity operations ----------------------------------------------------------------

    def create(self, expanded: ExpandedEntity) -> StoredEntity:
        entity_id = expanded.id or ""
        if self.get(entity_id) is not None:
            raise AlreadyExists(_("Entity {id!r} already exists."), id=entity_id)
        entity = StoredEntity(entity_id, expanded.types, {}, self.now, self.now)
        # An entity deleted earlier in the same batch keeps its removal, which commit
        # runs before the insert of the new row with the same id.
        self.entities[entity_id] = entity
        change = self._change(entity)
        change.types_changed = True
        self._set_attributes(entity, change, expanded.attrs)
        return entity

    def replace(self, entity_id: str, expanded: ExpandedEntity) -> StoredEntity:
        """Replace all attributes (and the types, when given) of an existing entity."""
        entity = self.require(entity_id)
        change = self._change(entity)
        if expanded.types and expanded.types != entity.types:
            entity.types = expanded.types
            change.types_changed = True
        for attr_iri, instances in entity.attrs.items():
            if attr_iri not in expanded.attrs:
                change.deleted.extend((attr_iri, i.get("datasetId")) for i in instances)
        old = entity.attrs
        entity.attrs = {}
        change.geo_changed = True
        self._set_attributes(entity, change, expanded.attrs, previous=old)
        return entity

    def upsert(self, expanded: ExpandedEntity, replace: bool) -> bool:
        """Create the entity or update it; return True when it was created."""
        entity_id = expanded.id or ""
        if self.get(entity_id) is None:
            self.create(expanded)
            return True
        if replace:
            self.replace(entity_id, expanded)
        else:
            self.add_types(entity_id, expanded.types)
            self.append(entity_id, expanded.attrs, overwrite=True)
        return False

    def add_types(self, entity_id: str, types: list[str]) -> None:
        entity = self.require(entity_id)
        new_types = [t for t in types if t not in entity.types]
        if new_types:
            entity.types = [*entity.types, *new_types]
            self._change(entity).types_changed = True

    def delete(self, entity_id: str) -> None:
        entity = self.require(entity_id)
        self.entities[entity_id] = None
        self.changes.pop(entity_id, None)
        if entity.pk is not None:
            self.removed[entity_id] = entity

    # ---- attribute operations -------------------------------------------------------------

    def append(self, entity_id: str, attrs: dict[str, Instances], overwrite: bool) -> AttrResult:
        """Append attributes; existing instances are replaced unless ``overwrite`` is False."""
        entity = self.require(entity_id)
        result = AttrResult()
        accepted: dict[str, Instances] = {}
        for attr_iri, instances in attrs.items():
            existing = {i.get("datasetId") for i in entity.attrs.get(attr_iri, [])}
            clash = [i for i in instances if i.get("datasetId") in existing]
            if attr_iri == SCOPE_IRI and clash and not overwrite:
                # Scopes form a set, so noOverwrite adds the new ones to those the entity has.
                scopes = stored_scopes(entity.attrs)
                added = [s for s in stored_scopes({SCOPE_IRI: instances}) if s not in scopes]
                accepted[attr_iri] = [{"type": "Property", "value": scopes + added}]
                result.updated.append(attr_iri)
                continue
            if clash and not overwrite:
                result.not_updated.append((attr_iri, _("Attribute already exists and noOverwrite was given.")))
                continue
            accepted[attr_iri] = instances
            result.updated.append(attr_iri)
        if accepted:
            self._set_attributes(entity, self._change(entity), accepted, previous=entity.attrs, merge=True)
        return result

    def update(self, entity_id: str, attrs: dict[str, Instances]) -> AttrResult:
        """Replace attribute instances that exist; report the others as not updated."""
        entity = self.require(entity_id)
        result = AttrResult()
        accepted: dict[str, Instances] = {}
        for attr_iri, instances in attrs.items():
            existing = {i.get("datasetId") for i in entity.attrs.get(attr_iri, [])}
            if attr_iri not in entity.attrs or any(i.get("datasetId") not in existing for i in instances):
                result.not_updated.append((attr_iri, _("Attribute or datasetId does not exist.")))
                continue
            accepted[attr_iri] = instances
            result.updated.append(attr_iri)
        if accepted:
            self._set_attributes(entity, self._change(entity), accepted, previous=entity.attrs, merge=True)
        return result

    def merge(self, entity_id: str, expanded: ExpandedEntity,
              deletions: list[tuple[str, str | None]] | list[str]) -> None:
        """Merge-patch: add or patch the given attributes, delete the instances set to null.

        ``deletions`` names each instance to delete by attribute and datasetId (None: the
        default instance); a bare attribute IRI deletes every instance of the attribute.
        """
        entity = self.require(entity_id)
        self.add_types(entity_id, expanded.types)
        for deletion in deletions:
            if isinstance(deletion, str):
                if deletion in entity.attrs:
                    self.delete_attribute(entity_id, deletion, None, delete_all=True)
                continue
            attr_iri, dataset_id = deletion
            if self.has_instance(entity_id, attr_iri, dataset_id):
                self.delete_attribute(entity_id, attr_iri, dataset_id, delete_all=False)
        patched: dict[str, Instances] = {}
        for attr_iri, instances in expanded.attrs.items():
            current = {i.get("datasetId"): i for i in entity.attrs.get(attr_iri, [])}
            patched[attr_iri] = [_merge_instance(current.get(i.get("datasetId")), i) for i in instances]
        if patched:
            self._set_attributes(entity, self._change(entity), patched, previous=entity.attrs, merge=True)

    def patch_attribute(self, entity_id: str, attr_iri: str, fragment: dict[str, Any],
                        validate: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        """Partial attribute update: merge ``fragment`` into the instance it names by datasetId.

        ``validate`` checks and normalizes the merged instance (it raises BadRequestData).
        """
        entity = self.require(entity_id)
        instance = self._require_instance(entity, attr_iri, fragment.get("datasetId"))
        merged = validate(_merge_instance(instance, {"type": instance["type"], **fragment}))
        if merged["type"] != instance["type"]:
            raise BadRequestData(
                _("A partial update cannot change attribute {name!r} from {old} to {new}."),
                name=attr_iri, old=instance["type"], new=merged["type"],
            )
        self._set_attributes(entity, self._change(entity), {attr_iri: [merged]}, previous=entity.attrs, merge=True)

    def replace_attribute(self, entity_id: str, attr_iri: str, instances: Instances) -> None:
        entity = self.require(entity_id)
        if attr_iri not in entity.attrs:
            raise ResourceNotFound(
                _("Entity {id!r} has no attribute {name!r}."), id=entity_id, name=attr_iri
            )
        self._set_attributes(entity, self._change(entity), {attr_iri: instances}, previous=entity.attrs, merge=True)

    def delete_attribute(self, entity_id: str, attr_iri: str, dataset_id: str | None, delete_all: bool) -> None:
        entity = self.require(entity_id)
        instances = entity.attrs.get(attr_iri)
        if not instances:
            raise ResourceNotFound(
                _("Entity {id!r} has no attribute {name!r}."), id=entity_id, name=attr_iri
            )
        if delete_all:
            kept: Instances = []
        else:
            self._require_instance(entity, attr_iri, dataset_id)
            kept = [i for i in instances if i.get("datasetId") != dataset_id]
        change = self._change(entity)
        removed = [i for i in instances if i not in kept]
        change.deleted.extend((attr_iri, i.get("datasetId")) for i in removed)
        change.geo_changed = change.geo_changed or any(i.get("type") == GEO_PROPERTY for i in removed)
        attrs = dict(entity.attrs)
        if kept:
            attrs[attr_iri] = kept
        else:
            attrs.pop(attr_iri)
        entity.attrs = attrs

    def has_instance(self, entity_id: str, attr_iri: str, dataset_id: str | None) -> bool:
        entity = self.require(entity_id)
        return any(i.get("datasetId") == dataset_id for i in entity.attrs.get(attr_iri, []))

    # ---- helpers ----------------------------------------------------------------------------

    def _require_instance(self, entity: StoredEntity, attr_iri: str, dataset_id: str | None) -> dict[str, Any]:
        for instance in entity.attrs.get(attr_iri, []):
            if instance.get("datasetId") == dataset_id:
                return instance
        if dataset_id is None:
            raise ResourceNotFound(_("Entity {id!r} has no attribute {name!r}."), id=entity.id, name=attr_iri)
        raise ResourceNotFound(
            _("Entity {id!r} has no instance of {name!r} with datasetId {dataset!r}."),
            id=entity.id, name=attr_iri, dataset=dataset_id,
        )

    def _set_attributes(self, entity: StoredEntity, change: Change, attrs: dict[str, Instances],
                        previous: dict[str, Instances] | None = None, merge: bool = False) -> None:
        """Store ``attrs`` on ``entity`` with system times and log them as written."""
        previous = previous or {}
        result = dict(entity.attrs)
        for attr_iri, instances in attrs.items():
            before = {i.get("datasetId"): i for i in previous.get(attr_iri, [])}
            stamped = [self._stamp(i, before.get(i.get("datasetId"))) for i in instances]
            if merge:
                replaced = {i.get("datasetId") for i in stamped}
                stamped += [i for i in result.get(attr_iri, []) if i.get("datasetId") not in replaced]
            stamped.sort(key=lambda i: "datasetId" in i)
            result[attr_iri] = stamped
            change.written.extend((attr_iri, i) for i in stamped if i.get("modifiedAt") == self.stamp)
            if any(i.get("type") == GEO_PROPERTY for i in stamped) or any(
                i.get("type") == GEO_PROPERTY for i in before.values()
            ):
                change.geo_changed = True
        entity.attrs = result

    def _stamp(self, instance: dict[str, Any], before: dict[str, Any] | None) -> dict[str, Any]:
        created = before.get("createdAt") if before else None
        return {**instance, "createdAt": created or self.stamp, "modifiedAt": self.stamp}


def _merge_instance(current: dict[str, Any] | None, patch: dict[str, Any]) -> dict[str, Any]:
    """Merge-patch one instance: members in ``patch`` win, sub-attributes merge one level deep."""
    if current is None:
        return patch
    merged = {k: v for k, v in current.items() if k not in ("createdAt", "modifiedAt")}
    if patch.get("type") and patch["type"] != current.get("type"):
        for member in VALUE_MEMBERS:
            merged.pop(member, None)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict) and "type" in value and key.startswith("http"):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged
