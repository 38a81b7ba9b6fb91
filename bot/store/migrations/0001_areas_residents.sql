-- Areas (commune → hamlet → team), residents, memberships, roles, audit, PTB persistence.
-- Times are ISO 8601 strings with offset (UTC), written by the application.

CREATE TABLE communes (
    id            INTEGER PRIMARY KEY,
    code          TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    staff_chat_id INTEGER,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE TABLE hamlets (
    id         INTEGER PRIMARY KEY,
    commune_id INTEGER NOT NULL REFERENCES communes(id) ON DELETE CASCADE,
    code       TEXT NOT NULL,
    name       TEXT NOT NULL,
    UNIQUE (commune_id, code)
);

CREATE TABLE residents (
    id               INTEGER PRIMARY KEY,
    telegram_id      INTEGER UNIQUE,
    display_name     TEXT,
    language         TEXT,
    commune_id       INTEGER REFERENCES communes(id) ON DELETE SET NULL,
    hamlet_id        INTEGER REFERENCES hamlets(id) ON DELETE SET NULL,
    phone            TEXT,
    consent          TEXT NOT NULL DEFAULT 'none' CHECK (consent IN ('none', 'given', 'declined')),
    consent_at       TEXT,
    consent_version  TEXT,
    mute_propaganda  INTEGER NOT NULL DEFAULT 0,
    unreachable_at   TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX residents_commune ON residents (commune_id, hamlet_id);

CREATE TABLE resident_tags (
    resident_id INTEGER NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
    tag         TEXT NOT NULL,
    PRIMARY KEY (resident_id, tag)
) WITHOUT ROWID;
CREATE INDEX resident_tags_tag ON resident_tags (tag);

CREATE TABLE teams (
    id                INTEGER PRIMARY KEY,
    commune_id        INTEGER NOT NULL REFERENCES communes(id) ON DELETE CASCADE,
    hamlet_id         INTEGER REFERENCES hamlets(id) ON DELETE SET NULL,
    code              TEXT NOT NULL,
    name              TEXT NOT NULL,
    kind              TEXT NOT NULL,
    join_code         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    requires_approval INTEGER NOT NULL DEFAULT 1,
    max_members       INTEGER NOT NULL DEFAULT 0,
    created_at        TEXT NOT NULL,
    UNIQUE (commune_id, code)
);
CREATE INDEX teams_hamlet ON teams (hamlet_id);
CREATE INDEX teams_kind ON teams (kind);

-- role: member | leader; state: pending | active. One leader per team.
CREATE TABLE memberships (
    team_id      INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    resident_id  INTEGER NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
    role         TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'leader')),
    state        TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'active')),
    requested_at TEXT NOT NULL,
    decided_at   TEXT,
    decided_by   INTEGER REFERENCES residents(id) ON DELETE SET NULL,
    PRIMARY KEY (team_id, resident_id)
) WITHOUT ROWID;
CREATE INDEX memberships_resident ON memberships (resident_id);
CREATE UNIQUE INDEX memberships_one_leader ON memberships (team_id) WHERE role = 'leader';

-- Commune-scoped roles (officer) and district-wide ones (admin: commune_id NULL).
CREATE TABLE roles (
    resident_id INTEGER NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
    role        TEXT NOT NULL CHECK (role IN ('officer', 'admin')),
    commune_id  INTEGER REFERENCES communes(id) ON DELETE CASCADE,
    granted_at  TEXT NOT NULL,
    granted_by  TEXT NOT NULL
);
CREATE UNIQUE INDEX roles_unique ON roles (resident_id, role, ifnull(commune_id, 0));

CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    actor_id     INTEGER REFERENCES residents(id) ON DELETE SET NULL,
    actor_label  TEXT NOT NULL,
    action       TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id   INTEGER,
    detail       TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_subject ON audit_log (subject_type, subject_id);

-- python-telegram-bot persistence (JSON, never pickle).
CREATE TABLE ptb_conversations (
    name  TEXT NOT NULL,
    key   TEXT NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY (name, key)
) WITHOUT ROWID;

CREATE TABLE ptb_user_data (
    user_id INTEGER PRIMARY KEY,
    data    TEXT NOT NULL
);
