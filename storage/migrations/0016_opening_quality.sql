-- The quality commitment of a decrypted bid form, published with its
-- price and duration when the decryption window closes.
ALTER TABLE opening_bids ADD COLUMN quality VARCHAR(500) NULL;
