-- Pendataan as a follow-up tool (issue #18): each case's steps are kept as history, never one overwritten status.
-- service_records.status stays as the case's current status (the last step), for fast reads and the importer.
ALTER TABLE service_records ADD COLUMN person_desa_code VARCHAR;   -- where the person lives; NULL when sensitive
ALTER TABLE service_records ADD COLUMN description VARCHAR;        -- what was brought (no names of people)
ALTER TABLE service_records ADD COLUMN recorded_by VARCHAR;

CREATE TABLE service_record_steps (
    record_id   VARCHAR NOT NULL,
    step_no     INTEGER NOT NULL,                -- 1 = recorded (or the status an import brought), then 2, 3, ...
    status      VARCHAR NOT NULL,                -- recorded, verified, referred, resolved, closed
    on_date     DATE NOT NULL,                   -- when it happened (as the kader or pembina says)
    actor       VARCHAR NOT NULL,                -- who wrote the step (username, or 'impor')
    note        VARCHAR,                         -- what was done; the reason when closed
    opd         VARCHAR,                         -- the OPD a case was referred to
    written_at  TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (record_id, step_no)
);

-- Records that exist before this migration (imported or demo) start their history with the status they carry.
INSERT INTO service_record_steps (record_id, step_no, status, on_date, actor, note)
SELECT record_id, 1, status, recorded_on, 'impor', NULL FROM service_records;
