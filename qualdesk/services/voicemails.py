"""Each rep's recorded voicemail, per campaign (or one for every campaign).

The database keeps the recording itself (its bytes, migration 0009) with its card (name,
length, checksum), so a rep's voicemail plays from any machine of the team. The phone
engine plays a file: each machine keeps its copy beside the database, in
``recordings/voicemail`` (the SQLite file's folder; for a shared PostgreSQL database,
this machine's data folder), named by rep, campaign and checksum, written from the
database the first time that machine needs it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import Campaign, VoicemailRecording
from qualdesk.errors import NotFound
from qualdesk.phone.voicemail import prepare
from qualdesk.services.users import user_by_name


@dataclass(frozen=True)
class VoicemailRecord:
    id: int
    rep: str
    campaign: str | None
    path: Path
    seconds: float
    converted_from: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "rep": self.rep, "campaign": self.campaign, "path": str(self.path),
                "seconds": self.seconds, "converted_from": self.converted_from}


def recordings_dir(db: Database) -> Path:
    from qualdesk.paths import data_dir

    u = make_url(db.url)
    base = Path(u.database).resolve().parent if db.is_sqlite and u.database not in (None, "", ":memory:") \
        else data_dir()
    d = base / "recordings" / "voicemail"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _slug(s: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", s).strip("-").lower() or "x"


def set_voicemail(db: Database, rep_name: str, wav: Path,
                  campaign: str | None = None) -> VoicemailRecord:
    """Check (and if need be convert) the WAV, keep it, and make it the rep's voicemail
    for the campaign (replacing the one before). A refused file changes nothing."""
    prepared = prepare(wav)
    with db.session() as s:
        rep = user_by_name(s, rep_name)
        camp = None
        if campaign:
            camp = s.scalar(select(Campaign).where(Campaign.name == campaign))
            if camp is None:
                raise NotFound(f"no campaign named {campaign!r}")
        name = f"{_slug(rep.name)}-{_slug(camp.name) if camp else 'all'}-{prepared.sha256[:12]}.wav"
        target = recordings_dir(db) / name
        tmp = target.with_suffix(".part")
        tmp.write_bytes(prepared.data)
        tmp.replace(target)
        for old in s.scalars(select(VoicemailRecording).where(
                VoicemailRecording.rep_id == rep.id,
                VoicemailRecording.campaign_id.is_(None) if camp is None
                else VoicemailRecording.campaign_id == camp.id)):
            s.delete(old)
        row = VoicemailRecording(rep_id=rep.id, campaign_id=camp.id if camp else None,
                                 file_name=name, duration_ms=int(prepared.seconds * 1000),
                                 sha256=prepared.sha256, created_at=clock.now(),
                                 wav=prepared.data)
        s.add(row)
        s.flush()
        return VoicemailRecord(row.id, rep.name, camp.name if camp else None, target,
                               prepared.seconds, prepared.converted_from)


def _copy_here(s: Session, row: VoicemailRecording, path: Path) -> bool:
    """Write this machine's copy of the recording from the database; False when the
    database has no bytes for it (recorded before 0009) or they are not what was kept."""
    data = s.scalar(select(VoicemailRecording.wav).where(VoicemailRecording.id == row.id))
    if not data or hashlib.sha256(data).hexdigest() != row.sha256:
        return False
    tmp = path.with_suffix(".part")
    tmp.write_bytes(data)
    tmp.replace(path)  # a player never opens half a file
    return True


def voicemail_for(db: Database, rep_name: str, campaign_id: int | None) -> VoicemailRecord:
    """The rep's voicemail for this campaign, else their one for every campaign."""
    with db.session(write=False) as s:
        rep = user_by_name(s, rep_name)
        rows = list(s.scalars(select(VoicemailRecording).where(VoicemailRecording.rep_id == rep.id)))
        row = next((r for r in rows if campaign_id is not None and r.campaign_id == campaign_id),
                   None) or next((r for r in rows if r.campaign_id is None), None)
        if row is None:
            raise NotFound(f"{rep.name} has no recorded voicemail: import a WAV on the Phone "
                           "page (Phone → Phone set-up and test…, Import a WAV…)",
                           cli="qualdesk voicemail set --rep NAME FILE.wav")
        camp = s.get(Campaign, row.campaign_id) if row.campaign_id else None
        path = recordings_dir(db) / row.file_name
        if not path.exists() and not _copy_here(s, row, path):
            raise NotFound(f"{rep.name}'s voicemail ({row.file_name}) is not on this machine: "
                           "import it again on the Phone page (Phone → Phone set-up and "
                           "test…, Import a WAV…)", cli="qualdesk voicemail set")
        return VoicemailRecord(row.id, rep.name, camp.name if camp else None, path,
                               row.duration_ms / 1000)
