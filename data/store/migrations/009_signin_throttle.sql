-- 009: sign-in throttling by client as well as by account (issue #19). Each attempt names the client it came
-- from (a short hash of its address or browser session, never the address itself); the username column keeps
-- at most 64 characters (longer names are stored as their hash), so a visitor cannot write large values.

ALTER TABLE login_attempts ADD COLUMN client VARCHAR;
