-- dropping the partitioned table drops every partition with it
DROP TABLE audit_logs;
DROP FUNCTION create_audit_log_partitions(date, integer);
DROP FUNCTION audit_logs_append_only();
