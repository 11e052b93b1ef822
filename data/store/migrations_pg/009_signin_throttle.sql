-- 009 (PostgreSQL): sign-in throttling by client as well as by account (DuckDB's 009_signin_throttle.sql).

ALTER TABLE login_attempts ADD COLUMN client VARCHAR;
CREATE INDEX login_attempts_by_name ON login_attempts (username);
CREATE INDEX login_attempts_by_client ON login_attempts (client);
