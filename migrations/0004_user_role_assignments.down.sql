DROP TABLE user_role_assignments;
