-- 016 (PostgreSQL): pendataan as a follow-up tool, each case's steps kept as history (DuckDB's 016_pendataan.sql).

ALTER TABLE service_records ADD COLUMN person_desa_code VARCHAR;
ALTER TABLE service_records ADD COLUMN description VARCHAR;
ALTER TABLE service_records ADD COLUMN recorded_by VARCHAR;

CREATE TABLE service_record_steps (
    record_id   VARCHAR NOT NULL,
    step_no     INTEGER NOT NULL,
    status      VARCHAR NOT NULL,
    on_date     DATE NOT NULL,
    actor       VARCHAR NOT NULL,
    note        VARCHAR,
    opd         VARCHAR,
    written_at  TIMESTAMP NOT NULL DEFAULT LOCALTIMESTAMP,
    PRIMARY KEY (record_id, step_no)
);
