package dev.parley.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;

/**
 * The API keys of {@code parley.api.keys} (several at once, so one can be rotated in before the
 * old one is removed). A presented key is hashed and compared with every configured key's hash
 * in constant time: neither the position of the first wrong byte nor the length leaks through
 * timing, and every key is compared whatever matched. Thread-safe: immutable.
 */
final class ApiKeys {
    private final List<byte[]> hashes;

    ApiKeys(List<String> keys) {
        this.hashes = keys.stream().map(ApiKeys::sha256).toList();
    }

    /**
     * The index of the configured key that {@code authorization} ("Bearer &lt;key&gt;") carries, which
     * names its rate-limit bucket; empty for a missing, malformed or unknown key.
     */
    Optional<Integer> match(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        byte[] presented = sha256(authorization.substring(7).trim());
        int found = -1;
        for (int i = 0; i < hashes.size(); i++) {
            if (MessageDigest.isEqual(hashes.get(i), presented) && found < 0) {
                found = i;
            }
        }
        return found < 0 ? Optional.empty() : Optional.of(found);
    }

    int size() {
        return hashes.size();
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
