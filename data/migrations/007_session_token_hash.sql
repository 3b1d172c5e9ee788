-- 007_session_token_hash.sql — sessions.session_token holds the SHA-256 of the
-- token (64 lower-case hex digits), never the token itself: a copied save no
-- longer hands out live sessions. The game looks sessions up by the hash.
-- ma_sha256_hex() is registered by the game on every connection it opens
-- (src/save/save.c), so this migration runs only inside the game.
UPDATE sessions SET session_token = ma_sha256_hex(session_token);
