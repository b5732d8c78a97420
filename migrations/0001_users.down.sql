DROP TABLE users;
DROP FUNCTION is_stellar_address(text);
DROP FUNCTION set_updated_at();
