package dev.parley.observe;

import java.util.Locale;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Logger;

import io.helidon.config.Config;

/**
 * Applies {@code logging.format} ({@code plain}, the default, or {@code json}) to the root
 * logger's handlers. logging.properties is read before Parley's config exists, so the format is
 * switched here, once the config is known.
 */
public final class LogFormat {
    private LogFormat() {
    }

    /** Switches the handlers to the configured format; true when it is {@code json}. */
    public static boolean apply(Config root) {
        String format = root.get("logging.format").asString().orElse("plain").trim().toLowerCase(Locale.ROOT);
        Formatter formatter = switch (format) {
            case "plain" -> new PlainLogFormatter();
            case "json" -> new JsonLogFormatter();
            default -> throw new IllegalArgumentException("logging.format must be plain or json, is " + format);
        };
        for (Handler h : Logger.getLogger("").getHandlers()) {
            h.setFormatter(formatter);
        }
        return formatter instanceof JsonLogFormatter;
    }
}
