-- Scores with integer surrogate keys (issue #15): 54 million choices with five VARCHAR keys and a four-string
-- primary key made reading a national store cost 15 of 20 s. The strings now live once each in the key tables
-- (key_*: `no` is the code, dense from 0 in the order of the id); `score_choices` holds the codes; the view
-- `scores` gives every reader the old columns, in the old order, unchanged. Writers go through
-- `data.store.score_rows` (codes are handed out there). Converted in place: every row keeps every value.
CREATE TABLE key_competition (no UINTEGER PRIMARY KEY, competition_id VARCHAR NOT NULL UNIQUE);
CREATE TABLE key_stage       (no UINTEGER PRIMARY KEY, stage          VARCHAR NOT NULL UNIQUE);
CREATE TABLE key_entrant     (no UINTEGER PRIMARY KEY, entrant_id     VARCHAR NOT NULL UNIQUE);
CREATE TABLE key_judge       (no UINTEGER PRIMARY KEY, judge_id       VARCHAR NOT NULL UNIQUE);
CREATE TABLE key_criterion   (no UINTEGER PRIMARY KEY, criterion_id   VARCHAR NOT NULL UNIQUE);
CREATE TABLE key_option      (no UINTEGER PRIMARY KEY, option_code    VARCHAR NOT NULL UNIQUE);

INSERT INTO key_competition SELECT row_number() OVER (ORDER BY v) - 1, v
    FROM (SELECT DISTINCT competition_id AS v FROM scores);
INSERT INTO key_stage SELECT row_number() OVER (ORDER BY v) - 1, v FROM (SELECT DISTINCT stage AS v FROM scores);
INSERT INTO key_entrant SELECT row_number() OVER (ORDER BY v) - 1, v
    FROM (SELECT DISTINCT entrant_id AS v FROM scores);
INSERT INTO key_judge SELECT row_number() OVER (ORDER BY v) - 1, v FROM (SELECT DISTINCT judge_id AS v FROM scores);
INSERT INTO key_criterion SELECT row_number() OVER (ORDER BY v) - 1, v
    FROM (SELECT DISTINCT criterion_id AS v FROM scores);
INSERT INTO key_option SELECT row_number() OVER (ORDER BY v) - 1, v
    FROM (SELECT DISTINCT option_code AS v FROM scores WHERE option_code IS NOT NULL);

CREATE TABLE score_choices (
    competition_no UINTEGER NOT NULL,
    stage_no       UINTEGER NOT NULL,
    entrant_no     UINTEGER NOT NULL,
    judge_no       UINTEGER NOT NULL,
    criterion_no   UINTEGER NOT NULL,
    option_no      UINTEGER,                  -- for choice criteria
    real_value     DOUBLE,                   -- for nilai-riil criteria
    note           VARCHAR,
    evidence       VARCHAR[],                -- content hashes of stored evidence files
    created_at     TIMESTAMP NOT NULL DEFAULT current_timestamp,
    updated_at     TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (entrant_no, stage_no, judge_no, criterion_no)
);

-- Grouped by competition, so a competition's read skips the other competitions' row groups (zone maps).
INSERT INTO score_choices
SELECT c.no, st.no, e.no, j.no, k.no, o.no, s.real_value, s.note, s.evidence, s.created_at, s.updated_at
FROM scores s
JOIN key_competition c ON c.competition_id = s.competition_id
JOIN key_stage st ON st.stage = s.stage
JOIN key_entrant e ON e.entrant_id = s.entrant_id
JOIN key_judge j ON j.judge_id = s.judge_id
JOIN key_criterion k ON k.criterion_id = s.criterion_id
LEFT JOIN key_option o ON o.option_code = s.option_code
ORDER BY c.no, e.no, st.no, k.no, j.no;

DROP TABLE scores;

CREATE VIEW scores AS
SELECT c.competition_id, st.stage, e.entrant_id, j.judge_id, k.criterion_id, o.option_code, s.real_value, s.note,
       s.evidence, s.created_at, s.updated_at
FROM score_choices s
JOIN key_competition c ON c.no = s.competition_no
JOIN key_stage st ON st.no = s.stage_no
JOIN key_entrant e ON e.no = s.entrant_no
JOIN key_judge j ON j.no = s.judge_no
JOIN key_criterion k ON k.no = s.criterion_no
LEFT JOIN key_option o ON o.no = s.option_no;
