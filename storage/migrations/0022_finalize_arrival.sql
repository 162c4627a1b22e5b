-- The moment a bid's finalize arrived, on the server clock (issue 14):
-- set when the finalize registers as in flight, it is the bid's moment of
-- receipt, and the deadline close waits for in-flight finalizes that
-- arrived before the deadline.
ALTER TABLE bid_uploads ADD COLUMN arrived_at DATETIME(3) NULL;
