package dev.parley.proxy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.parley.observe.PlainLogFormatter;

import static org.awaitility.Awaitility.await;

/**
 * Where Parley says whom it is talking to: the connection log line an operator reads,
 * {@code websocket upgrade accepted event=ws.upgrade ... client=ADDRESS peer=ADDRESS ... session=ID}
 * on logger {@code dev.parley.connection}, with {@code client} resolved from X-Forwarded-For
 * against parley.trusted-proxies and {@code peer} the TCP peer (the proxy).
 */
final class ClientAddressLog implements AutoCloseable {
    private static final Pattern UPGRADE = Pattern.compile("event=ws\\.upgrade .*\\bclient=(\\S+) peer=(\\S+).*\\bsession=(\\S+)");

    record Upgrade(String client, String peer) {
    }

    /** Held strongly: java.util.logging forgets a logger nobody references, handlers included. */
    private final Logger logger = Logger.getLogger("dev.parley.connection");
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        private final PlainLogFormatter format = new PlainLogFormatter();

        /** Formats at once: the session id comes from the logging thread's context. */
        @Override
        public void publish(LogRecord record) {
            lines.add(format.format(record));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    ClientAddressLog() {
        logger.addHandler(handler);
    }

    /** The addresses Parley logged for {@code session}'s upgrade, waiting (bounded) for the line. */
    Upgrade upgradeOf(String session) {
        Upgrade[] found = new Upgrade[1];
        await().atMost(Duration.ofSeconds(10)).alias("ws.upgrade log line of " + session + " in " + lines).until(() -> {
            for (String line : lines) {
                Matcher m = UPGRADE.matcher(line);
                if (m.find() && m.group(3).equals(session)) {
                    found[0] = new Upgrade(m.group(1), m.group(2));
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
    }
}
