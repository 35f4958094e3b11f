"""The audit trail: logins, failed logins, refused accesses and role changes, with who and when."""
