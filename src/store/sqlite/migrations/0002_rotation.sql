-- Schema version 2: rotation links. A key made by `rotate` points at the key it replaced;
-- the reverse link is found through the index.

ALTER TABLE keys ADD COLUMN rotated_from INTEGER REFERENCES keys (id);

CREATE INDEX keys_by_rotated_from ON keys (rotated_from) WHERE rotated_from IS NOT NULL;
