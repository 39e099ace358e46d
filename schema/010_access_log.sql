-- 010_access_log: placeholder, filled in by the issue-14 work before release.
SELECT 1;
