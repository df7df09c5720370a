package dev.parley.broker.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.api.sync.RedisScriptingCommands;

/**
 * A Lua script shipped in {@code /redis/}, run by its SHA-1 ({@code EVALSHA}). Redis forgets
 * scripts when it restarts: a {@code NOSCRIPT} answer sends the source once, which also loads it.
 */
final class Script {
    private final String name;
    private final String source;
    private final String sha;

    private Script(String name, String source) {
        this.name = name;
        this.source = source;
        this.sha = sha1(source);
    }

    static Script load(String name) {
        try (InputStream in = Script.class.getResourceAsStream("/redis/" + name + ".lua")) {
            if (in == null) {
                throw new IllegalStateException("missing script /redis/" + name + ".lua");
            }
            return new Script(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    <T> T run(RedisScriptingCommands<String, String> redis, String[] keys, String... args) {
        try {
            return redis.evalsha(sha, ScriptOutputType.MULTI, keys, args);
        } catch (RedisNoScriptException e) {
            return redis.eval(source, ScriptOutputType.MULTI, keys, args);
        }
    }

    /** Starts the script without waiting; {@link #runAsync} callers fall back with {@link #retryAsync}. */
    <T> RedisFuture<T> runAsync(RedisScriptingAsyncCommands<String, String> redis, String[] keys, String... args) {
        return redis.evalsha(sha, ScriptOutputType.MULTI, keys, args);
    }

    <T> RedisFuture<T> retryAsync(RedisScriptingAsyncCommands<String, String> redis, String[] keys, String... args) {
        return redis.eval(source, ScriptOutputType.MULTI, keys, args);
    }

    @Override
    public String toString() {
        return name;
    }

    private static String sha1(String source) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
