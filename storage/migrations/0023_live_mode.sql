-- The mode of a database that is not a sandbox is called live (正式交易):
-- "production" is the configuration's environment (development or
-- production), a different thing, and one word should name one thing.
UPDATE platform_mode SET mode = 'live' WHERE mode = 'production';
