-- 011_audit_chain: placeholder, filled in by the issue-14 work before release.
SELECT 1;
